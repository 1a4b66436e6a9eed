package dev.tieredcache.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import dev.tieredcache.cache.TieredCacheManager;

/**
 * Binds {@link TieredCacheMetrics} for every cache of a {@link TieredCacheManager}: those
 * that exist when it is bound and those created later, on first use of a new name. Spring
 * Boot's own cache metrics bind only the caches that exist at start-up.
 *
 * <p>A cache created later is bound on the thread that creates it, once, before it is
 * handed to its first caller.
 */
public class TieredCacheManagerMetrics implements MeterBinder {

	private final TieredCacheManager manager;

	private final Tags tags;

	/**
	 * Creates the binder.
	 * @param manager the manager whose caches are bound
	 * @param tags further tags of every meter
	 */
	public TieredCacheManagerMetrics(TieredCacheManager manager, Iterable<Tag> tags) {
		this.manager = manager;
		this.tags = Tags.of(tags);
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.manager.onCacheCreated((cache) -> new TieredCacheMetrics(cache, this.tags).bindTo(registry));
	}

}
