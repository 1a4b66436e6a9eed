package dev.tieredcache.warmup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;

import dev.tieredcache.cache.HotKeys;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.RedisCommandExecutor;
import dev.tieredcache.redis.RedisHotKeyStore;
import dev.tieredcache.redis.RedisUnavailableException;

/**
 * Reports, every {@code record-interval} and once more when the application stops, the
 * most read keys of each cache with warm start on, as this instance's hot-key sketch ranks
 * them, to the cache's record in Redis ({@link RedisHotKeyStore}). Nothing is added to the
 * read path: the sketch is fed by the sampling hot-key tracking does anyway. A report is one
 * script call per cache, off the request threads; one that fails is dropped (the next one
 * replaces it).
 *
 * <p>A lifecycle bean, stopped in the phase of the web server's graceful shutdown: the last
 * report must reach Redis before the Redis connection factory stops (as a lifecycle bean
 * of a later phase), which happens before any bean is destroyed.
 */
public final class HotKeyRecorder implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(HotKeyRecorder.class);

	/** The record outlives this many intervals without a report. */
	private static final int RECORD_LIFETIME_INTERVALS = 10;

	private final TieredCacheManager manager;

	private final RedisHotKeyStore store;

	private final RedisCommandExecutor executor;

	private final Function<String, WarmStartSettings> settings;

	private final Duration interval;

	private volatile @Nullable ScheduledFuture<?> task;

	/**
	 * Creates the recorder.
	 * @param manager the caches
	 * @param store the records in Redis
	 * @param executor runs the periodic reports
	 * @param settings the warm-start settings of a cache, by name
	 * @param interval how often each cache's most read keys are reported
	 */
	public HotKeyRecorder(TieredCacheManager manager, RedisHotKeyStore store, RedisCommandExecutor executor,
			Function<String, WarmStartSettings> settings, Duration interval) {
		this.manager = manager;
		this.store = store;
		this.executor = executor;
		this.settings = settings;
		this.interval = interval;
	}

	@Override
	public void start() {
		this.task = this.executor.schedule(this.interval, this::recordAll);
	}

	@Override
	public boolean isRunning() {
		return this.task != null;
	}

	/** Stops with the web server's graceful shutdown, before the Redis connection. */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 1024;
	}

	/** Reports the most read keys of every cache with warm start on. */
	public void recordAll() {
		for (TieredCache cache : this.manager.getCaches()) {
			WarmStartSettings warmStart = this.settings.apply(cache.getName());
			HotKeys hotKeys = cache.getHotKeys();
			if (!warmStart.enabled() || hotKeys == null) {
				continue;
			}
			try {
				record(cache, hotKeys, warmStart);
			}
			catch (RedisUnavailableException ex) {
				logger.debug("Could not record the hot keys of cache '" + cache.getName() + "'", ex);
			}
		}
	}

	private void record(TieredCache cache, HotKeys hotKeys, WarmStartSettings warmStart) {
		HotKeys.Snapshot snapshot = hotKeys.snapshot(warmStart.keys());
		if (snapshot.keys().isEmpty() || snapshot.reads() == 0) {
			return;
		}
		List<String> keys = new ArrayList<>(snapshot.keys().size());
		double[] shares = new double[snapshot.keys().size()];
		for (int i = 0; i < shares.length; i++) {
			HotKeys.HotKey key = snapshot.keys().get(i);
			keys.add(key.key());
			shares[i] = (double) key.estimate() / snapshot.reads();
		}
		long ttl = Math.max(cache.getSettings().ttl().toMillis(), this.interval.toMillis() * RECORD_LIFETIME_INTERVALS);
		this.store.record(cache.getEncodedName(), keys, shares, warmStart.keys(), ttl);
	}

	/** Stops the reports, after a last one: the instances replacing this one start from it. */
	@Override
	public void stop() {
		ScheduledFuture<?> scheduled = this.task;
		this.task = null;
		if (scheduled != null) {
			scheduled.cancel(false);
		}
		try {
			recordAll();
		}
		catch (RuntimeException ex) {
			logger.debug("Could not record the hot keys at shutdown", ex);
		}
	}

}
