package dev.tieredcache.warmup;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What warm start did on this instance: per cache, the entries copied from Redis into L1
 * at start-up and how long it took; the warmers run and failed. Thread-safe.
 */
public final class WarmStartStatistics {

	private final Map<String, Cache> caches = new ConcurrentHashMap<>();

	private final LongAdder warmers = new LongAdder();

	private final LongAdder failedWarmers = new LongAdder();

	/**
	 * Returns the counters of a cache.
	 * @param cache the cache name
	 * @return its counters, created empty on first use
	 */
	public Cache of(String cache) {
		return this.caches.computeIfAbsent(cache, (name) -> new Cache());
	}

	void warmer(boolean success) {
		(success ? this.warmers : this.failedWarmers).increment();
	}

	/**
	 * Returns how many warmers ran.
	 * @param success whether to count those that returned normally, or those that threw
	 * @return the count
	 */
	public long warmers(boolean success) {
		return (success ? this.warmers : this.failedWarmers).sum();
	}

	/** The warm start of one cache. */
	public static final class Cache {

		private final AtomicLong entries = new AtomicLong();

		private final AtomicLong nanos = new AtomicLong();

		void warmed(int entries, long nanos) {
			this.entries.addAndGet(entries);
			this.nanos.set(nanos);
		}

		/** Returns how many entries were copied from Redis into L1 at start-up. */
		public long entries() {
			return this.entries.get();
		}

		/** Returns how long the copy took, in seconds; 0 if it did not run. */
		public double seconds() {
			return this.nanos.get() / 1e9;
		}

	}

}
