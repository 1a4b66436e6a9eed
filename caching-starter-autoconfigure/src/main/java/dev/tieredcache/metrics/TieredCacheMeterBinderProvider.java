package dev.tieredcache.metrics;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.boot.cache.metrics.CacheMeterBinderProvider;

import dev.tieredcache.cache.TieredCache;

/**
 * Lets Spring Boot's cache metrics bind {@link TieredCache}s as they bind Caffeine and Redis
 * caches: {@code cache.gets}, {@code cache.puts}, {@code cache.evictions} and
 * {@code cache.size}, tagged with {@code cache} and {@code cache.manager}.
 */
public class TieredCacheMeterBinderProvider implements CacheMeterBinderProvider<TieredCache> {

	@Override
	public MeterBinder getMeterBinder(TieredCache cache, Iterable<Tag> tags) {
		return new TieredCacheMeterBinder(cache, tags);
	}

}
