package dev.tieredcache.warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.Ordered;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.RedisHotKeyStore;
import dev.tieredcache.redis.RedisUnavailableException;

/**
 * Warms a starting instance before it takes traffic. Boot calls application runners after
 * the context is refreshed and before it publishes {@code ReadinessState.ACCEPTING_TRAFFIC},
 * so a readiness probe sees the instance ready only once this is done:
 * <ol>
 * <li>For each cache with warm start on, the keys the fleet read most lately (the cache's
 * record in Redis, see {@link HotKeyRecorder}) are copied from Redis into L1, in batches of
 * one round trip each, exactly as reads of them would fill L1 (entries that a read would not
 * serve, outdated by a tag, group or clear, or expired, are left out), without loading
 * anything from the database. It stops at {@code warm-start.keys} keys or after
 * {@code warm-start.timeout}, whichever comes first.</li>
 * <li>Then every {@link TieredCacheWarmer} bean runs, in order.</li>
 * </ol>
 * Nothing here fails start-up: with Redis unreachable the copy is skipped with a WARN, and
 * a failing warmer is logged at WARN. Runs first among the application's runners.
 */
public final class WarmStartRunner implements ApplicationRunner, Ordered {

	private static final Log logger = LogFactory.getLog(WarmStartRunner.class);

	/** Keys copied per Redis round trip. */
	static final int BATCH_SIZE = 100;

	private final TieredCacheManager manager;

	private final @Nullable RedisHotKeyStore store;

	private final Function<String, WarmStartSettings> settings;

	private final ObjectProvider<TieredCacheWarmer> warmers;

	private final WarmStartStatistics statistics;

	/**
	 * Creates the runner.
	 * @param manager the caches
	 * @param store the hot-key records in Redis, or null in the L1-only mode
	 * @param settings the warm-start settings of a cache, by name
	 * @param warmers the application's warmers
	 * @param statistics where what was done is counted
	 */
	public WarmStartRunner(TieredCacheManager manager, @Nullable RedisHotKeyStore store,
			Function<String, WarmStartSettings> settings, ObjectProvider<TieredCacheWarmer> warmers,
			WarmStartStatistics statistics) {
		this.manager = manager;
		this.store = store;
		this.settings = settings;
		this.warmers = warmers;
		this.statistics = statistics;
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE + 100;
	}

	@Override
	public void run(ApplicationArguments args) {
		if (this.store != null) {
			for (TieredCache cache : new ArrayList<>(this.manager.getCaches())) {
				WarmStartSettings warmStart = this.settings.apply(cache.getName());
				if (warmStart.enabled()) {
					warm(cache, warmStart, this.store);
				}
			}
		}
		this.warmers.orderedStream().forEach(this::runWarmer);
	}

	/**
	 * Copies the entries of a cache's most read keys from Redis into L1.
	 * @param cache the cache
	 * @param warmStart its settings
	 * @param store the records
	 * @return how many entries were copied
	 */
	int warm(TieredCache cache, WarmStartSettings warmStart, RedisHotKeyStore store) {
		long started = System.nanoTime();
		long deadline = started + warmStart.timeout().toNanos();
		int copied = 0;
		boolean complete = false;
		try {
			List<String> keys = store.hottest(cache.getEncodedName(), warmStart.keys());
			int from = 0;
			while (from < keys.size() && System.nanoTime() < deadline) {
				int to = Math.min(keys.size(), from + BATCH_SIZE);
				copied += cache.fillLocalFromRemote(keys.subList(from, to));
				from = to;
			}
			complete = from >= keys.size();
		}
		catch (RedisUnavailableException ex) {
			logger.warn("Warm start of cache '" + cache.getName() + "' stopped: Redis is unreachable; the instance "
					+ "starts with " + copied + " entries in L1, the others are read from Redis on first use");
		}
		catch (RuntimeException ex) {
			// Whatever went wrong, the instance can serve without a warm L1.
			logger.warn("Warm start of cache '" + cache.getName() + "' stopped (" + ex.getClass().getName()
					+ "); the instance starts with " + copied + " entries in L1");
			logger.debug("Warm start failure", ex);
		}
		long nanos = System.nanoTime() - started;
		this.statistics.of(cache.getName()).warmed(copied, nanos);
		if (logger.isInfoEnabled()) {
			logger.info("Warm start of cache '" + cache.getName() + "': " + copied + " entries copied from Redis "
					+ "into L1 in " + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms"
					+ (complete ? "" : " (stopped early)"));
		}
		return copied;
	}

	private void runWarmer(TieredCacheWarmer warmer) {
		try {
			warmer.warm();
			this.statistics.warmer(true);
		}
		catch (Exception ex) {
			this.statistics.warmer(false);
			// The message may carry keys or values: only the class is shown above DEBUG.
			logger.warn("Tiered-cache warmer " + warmer.getClass().getName() + " failed ("
					+ ex.getClass().getName() + "); its keys are loaded by the first reads instead");
			logger.debug("Tiered-cache warmer failure", ex);
		}
	}

}
