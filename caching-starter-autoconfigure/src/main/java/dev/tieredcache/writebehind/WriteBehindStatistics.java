package dev.tieredcache.writebehind;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The write-behind counters of this instance, per cache, read by the metrics.
 */
public final class WriteBehindStatistics {

	private final Map<String, Counters> caches = new ConcurrentHashMap<>();

	/**
	 * Returns the counters of a cache, created on first use.
	 * @param cache the cache name
	 * @return its counters
	 */
	public Counters of(String cache) {
		return this.caches.computeIfAbsent(cache, (name) -> new Counters());
	}

	/** Returns the names of the caches counted so far. */
	public java.util.Set<String> cacheNames() {
		return this.caches.keySet();
	}

	/** The counters of one cache. */
	public static final class Counters {

		private final LongAdder coalesced = new LongAdder();

		private final LongAdder fallbacks = new LongAdder();

		private final LongAdder deadLetters = new LongAdder();

		private final LongAdder succeeded = new LongAdder();

		private final LongAdder succeededNanos = new LongAdder();

		private final LongAdder failed = new LongAdder();

		private final LongAdder failedNanos = new LongAdder();

		private final AtomicLong pending = new AtomicLong();

		private final AtomicLong oldestDueMillis = new AtomicLong();

		void coalesced() {
			this.coalesced.increment();
		}

		void fallback() {
			this.fallbacks.increment();
		}

		void deadLetter() {
			this.deadLetters.increment();
		}

		void flushed(boolean success, long nanos) {
			(success ? this.succeeded : this.failed).increment();
			(success ? this.succeededNanos : this.failedNanos).add(nanos);
		}

		void backlog(long pending, long oldestDueMillis) {
			this.pending.set(pending);
			this.oldestDueMillis.set(oldestDueMillis);
		}

		/** Writes that replaced a pending value before it was flushed. */
		public long coalescedCount() {
			return this.coalesced.sum();
		}

		/** Calls that ran the method at once because Redis could not take the write. */
		public long fallbackCount() {
			return this.fallbacks.sum();
		}

		/** Writes given up on and copied to the dead letters. */
		public long deadLetterCount() {
			return this.deadLetters.sum();
		}

		/**
		 * Flush calls (of the method or of {@code flushAll}) that returned normally, or threw.
		 * @param success which
		 * @return how many
		 */
		public long flushCount(boolean success) {
			return (success ? this.succeeded : this.failed).sum();
		}

		/**
		 * Total time of those flush calls.
		 * @param success which
		 * @param unit the unit
		 * @return the total
		 */
		public double flushTime(boolean success, TimeUnit unit) {
			long nanos = (success ? this.succeededNanos : this.failedNanos).sum();
			return (double) nanos / unit.toNanos(1);
		}

		/** Pending writes of the cache, all instances, as this instance's flusher last saw. */
		public long pendingCount() {
			return this.pending.get();
		}

		/**
		 * Age of the oldest pending write not being flushed or waiting for a retry, as the
		 * flusher last saw (by this instance's clock against Redis's).
		 * @return seconds, 0 when none
		 */
		public double oldestPendingAgeSeconds() {
			long due = this.oldestDueMillis.get();
			return (due <= 0) ? 0 : Math.max(0, System.currentTimeMillis() - due) / 1000.0;
		}

	}

}
