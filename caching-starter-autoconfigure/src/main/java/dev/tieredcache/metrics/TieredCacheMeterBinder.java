package dev.tieredcache.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.cache.CacheMeterBinder;

import dev.tieredcache.cache.CacheStatistics;
import dev.tieredcache.cache.CacheStatistics.EvictionCause;
import dev.tieredcache.cache.CacheStatistics.Tier;
import dev.tieredcache.cache.TieredCache;

/**
 * Micrometer's standard cache meters ({@code cache.gets}, {@code cache.puts},
 * {@code cache.evictions}, {@code cache.size}) for a {@link TieredCache}, seen as one cache:
 *
 * <ul>
 * <li>A hit is a lookup answered by either tier; a miss is one neither answered. With L1
 * enabled every lookup starts there, so misses are L1 misses that L2 did not turn into
 * hits, and hits plus misses is the number of lookups; without L1 they are L2's.</li>
 * <li>Puts are values stored in Redis, the tier every instance shares (filling L1 from L2
 * is not a put).</li>
 * <li>Evictions are entries removed from Redis explicitly, plus entries L1 dropped for
 * size, expiry or another instance's write; an explicit eviction counts once.</li>
 * <li>Size is the estimated number of entries in L1 (Redis is not scanned).</li>
 * </ul>
 *
 * The per-tier detail is in {@link TieredCacheMetrics}.
 */
public class TieredCacheMeterBinder extends CacheMeterBinder<TieredCache> {

	private final boolean localEnabled;

	/**
	 * Creates the binder.
	 * @param cache the cache
	 * @param tags further tags, such as Spring Boot's {@code cache.manager}
	 */
	public TieredCacheMeterBinder(TieredCache cache, Iterable<Tag> tags) {
		super(cache, cache.getName(), tags);
		this.localEnabled = cache.getSettings().localEnabled();
	}

	@Override
	protected Long size() {
		TieredCache cache = getCache();
		return (cache != null) ? cache.getLocalSize() : 0L;
	}

	@Override
	protected long hitCount() {
		CacheStatistics statistics = statistics();
		return (statistics != null) ? statistics.hits(Tier.L1) + statistics.hits(Tier.L2) : 0;
	}

	@Override
	protected Long missCount() {
		CacheStatistics statistics = statistics();
		if (statistics == null) {
			return 0L;
		}
		if (!this.localEnabled) {
			return statistics.misses(Tier.L2);
		}
		// A caller that waited on another's load may read L2 more than once per lookup,
		// so the difference is bounded below.
		return Math.max(0, statistics.misses(Tier.L1) - statistics.hits(Tier.L2));
	}

	@Override
	protected Long evictionCount() {
		CacheStatistics statistics = statistics();
		if (statistics == null) {
			return 0L;
		}
		long count = 0;
		for (EvictionCause cause : EvictionCause.values()) {
			count += statistics.evictions(Tier.L2, cause);
			if (cause != EvictionCause.EXPLICIT) {
				count += statistics.evictions(Tier.L1, cause);
			}
		}
		return count;
	}

	@Override
	protected long putCount() {
		CacheStatistics statistics = statistics();
		return (statistics != null) ? statistics.puts(Tier.L2) : 0;
	}

	@Override
	protected void bindImplementationSpecificMetrics(MeterRegistry registry) {
		// The tiered detail has its own names (tiered.cache.*), bound for every cache,
		// including those created after start-up, by TieredCacheManagerMetrics.
	}

	private CacheStatistics statistics() {
		TieredCache cache = getCache();
		return (cache != null) ? cache.getStatistics() : null;
	}

}
