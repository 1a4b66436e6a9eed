package dev.tieredcache.interceptor;

import org.springframework.beans.factory.SmartInitializingSingleton;

import dev.tieredcache.cache.CacheKeyEncoder;

/**
 * Checks, once every singleton exists (so every annotated bean has been proxied and its
 * annotations parsed, and the application's converters are known), that the default key
 * of each annotated method can be encoded: a method whose parameter type can never be a
 * key (a final class without {@code toString()} of its own nor a converter of the
 * application, a set, a map) fails start-up with a message naming the method, the type and
 * the fix. Parameters of types that only some instances of can be encoded are checked on
 * each call instead: such a call runs uncached, with a warning.
 */
public class DefaultKeyValidator implements SmartInitializingSingleton {

	private final CacheOperationSource source;

	private final CacheKeyEncoder encoder;

	public DefaultKeyValidator(CacheOperationSource source, CacheKeyEncoder encoder) {
		this.source = source;
		this.encoder = encoder;
	}

	@Override
	public void afterSingletonsInstantiated() {
		this.source.forEachDefaultKey((method, parameterTypes) -> {
			for (Class<?> type : parameterTypes) {
				String reason = this.encoder.neverEncodable(type);
				if (reason != null) {
					throw new IllegalStateException(method + " caches under its arguments, which cannot be a cache key: "
							+ reason);
				}
			}
		});
	}

}
