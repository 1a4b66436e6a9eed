package dev.tieredcache.cache;

import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.tieredcache.TieredCacheOperations;
import dev.tieredcache.redis.CoordinationStatistics.InvalidationKind;
import dev.tieredcache.redis.RateLimitedLog;
import dev.tieredcache.redis.RedisUnavailableException;

/**
 * {@link TieredCacheOperations} over a {@link TieredCacheManager}.
 */
public class DefaultTieredCacheOperations implements TieredCacheOperations {

	private static final Log logger = LogFactory.getLog(DefaultTieredCacheOperations.class);

	// Invalidations run in loops (one per tag, per request): a dead Redis must not flood the log.
	private static final RateLimitedLog warnings = new RateLimitedLog(logger, Duration.ofSeconds(10));

	private final TieredCacheManager manager;

	public DefaultTieredCacheOperations(TieredCacheManager manager) {
		this.manager = manager;
	}

	@Override
	public void invalidateTags(String... tags) {
		for (String tag : tags) {
			long issued = System.nanoTime();
			String encoded = CacheKeyEncoder.encode(tag);
			try {
				this.manager.getServices().tags().bump(encoded);
				this.manager.getCoordinationStatistics().invalidation(InvalidationKind.TAG, false);
				if (logger.isDebugEnabled()) {
					logger.debug("Invalidated tag '" + tag + "'");
				}
			}
			catch (RedisUnavailableException ex) {
				warnings.warn("tag", () -> "A tag invalidation could not reach Redis: L1 of this instance is cleared "
						+ "and the invalidation is applied when Redis answers again");
				this.manager.tagInvalidationFailed(encoded, issued);
				this.manager.getCaches().forEach(TieredCache::clearLocal);
			}
		}
	}

	@Override
	public long bumpVersion(String group) {
		long issued = System.nanoTime();
		String encoded = CacheKeyEncoder.encodeGroup(group);
		try {
			long version = this.manager.getServices().groups().bump(encoded);
			this.manager.getCoordinationStatistics().invalidation(InvalidationKind.GROUP, false);
			if (logger.isDebugEnabled()) {
				logger.debug("Bumped group '" + group + "' to version " + version);
			}
			return version;
		}
		catch (RedisUnavailableException ex) {
			warnings.warn("group", () -> "A group version bump could not reach Redis: L1 of this instance is "
					+ "cleared and the bump is applied when Redis answers again");
			this.manager.groupBumpFailed(encoded, issued);
			this.manager.getCaches().forEach(TieredCache::clearLocal);
			// Whatever this instance knows, never a Redis read: Redis just failed, or this
			// thread is interrupted, and the write behind the bump must not fail.
			return this.manager.getServices().groups().currentOrProvisional(encoded);
		}
	}

	@Override
	public long currentVersion(String group) {
		return this.manager.getServices().groups().current(CacheKeyEncoder.encodeGroup(group));
	}

	@Override
	public void evict(String cache, Object key) {
		this.manager.getCache(cache).evict(key);
		if (logger.isDebugEnabled()) {
			logger.debug("Evicted a key of cache '" + cache + "'");
		}
	}

}
