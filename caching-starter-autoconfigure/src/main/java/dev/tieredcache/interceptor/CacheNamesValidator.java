package dev.tieredcache.interceptor;

import org.springframework.beans.factory.SmartInitializingSingleton;

import dev.tieredcache.cache.TieredCacheManager;

/**
 * Checks, once every singleton exists (so every annotated bean has been proxied and its
 * annotations parsed), that each cache an annotation names can be had from the manager;
 * with {@code tiered-cache.dynamic=false}, a cache missing from the configuration fails
 * start-up with a message naming the cache and the method.
 */
public class CacheNamesValidator implements SmartInitializingSingleton {

	private final CacheOperationSource source;

	private final TieredCacheManager manager;

	public CacheNamesValidator(CacheOperationSource source, TieredCacheManager manager) {
		this.source = source;
		this.manager = manager;
	}

	@Override
	public void afterSingletonsInstantiated() {
		this.source.forEachCacheName((cache, method) -> {
			try {
				this.manager.getCache(cache);
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalStateException(method + " uses cache '" + cache + "': " + ex.getMessage(), ex);
			}
		});
	}

}
