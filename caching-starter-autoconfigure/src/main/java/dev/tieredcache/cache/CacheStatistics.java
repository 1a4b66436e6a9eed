package dev.tieredcache.cache;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one {@link TieredCache}, kept with {@link LongAdder}s so that recording on the
 * hot path is cheap and contention-free. Meters and the actuator endpoint read them; they
 * never reset.
 *
 * <p>The durations of loads and lock waits are also handed, as each one ends, to the
 * {@linkplain #addDurationListener registered listeners} (timers with percentiles and
 * histograms need every sample, not a sum); hits and misses never call a listener.
 */
public final class CacheStatistics {

	/**
	 * Receives the duration of every load and lock wait of a cache as it ends, on the thread
	 * that loaded or waited: it must be quick and must not throw.
	 */
	public interface DurationListener {

		/**
		 * A run of the loader ended.
		 * @param nanos how long it ran
		 * @param success whether it returned a value (rather than threw)
		 */
		void loadFinished(long nanos, boolean success);

		/**
		 * A wait on another caller's load ended.
		 * @param nanos how long the caller waited
		 * @param outcome how the wait ended
		 */
		void lockWaitFinished(long nanos, LockWaitOutcome outcome);

	}

	/** A tier of the cache. */
	public enum Tier {

		/** The in-process Caffeine tier. */
		L1,
		/** The Redis tier. */
		L2;

		/** Returns the tag value used in meters. */
		public String tagValue() {
			return name().toLowerCase();
		}

	}

	/** Why an entry left a tier. */
	public enum EvictionCause {

		/** The tier was full. */
		SIZE,
		/** The entry's time to live ran out. */
		EXPIRED,
		/** The application evicted or replaced it on this instance. */
		EXPLICIT,
		/** Another instance's write or eviction removed it. */
		REMOTE;

		/** Returns the tag value used in meters. */
		public String tagValue() {
			return name().toLowerCase();
		}

	}

	/** How a caller's wait on another caller's load ended. */
	public enum LockWaitOutcome {

		/** The other load's value arrived. */
		VALUE,
		/** The holder went away and this caller took the load over. */
		TAKEOVER,
		/** The wait ran past the wait timeout and the caller loaded by itself. */
		TIMEOUT;

		/** Returns the tag value used in meters. */
		public String tagValue() {
			return name().toLowerCase();
		}

	}

	/** What started a background refresh. */
	public enum RefreshTrigger {

		/** An XFetch early refresh of a fresh entry. */
		EARLY,
		/** A stale-while-revalidate refresh of an expired entry. */
		STALE;

		/** Returns the tag value used in meters. */
		public String tagValue() {
			return name().toLowerCase();
		}

	}

	private final LongAdder[] hits = adders(Tier.values().length);

	private final LongAdder[] misses = adders(Tier.values().length);

	private final LongAdder[] puts = adders(Tier.values().length);

	private final LongAdder[][] evictions = { adders(EvictionCause.values().length),
			adders(EvictionCause.values().length) };

	private final LongAdder[] loadCount = adders(2);

	private final LongAdder[] loadNanos = adders(2);

	private final LongAdder[] lockWaitCount = adders(LockWaitOutcome.values().length);

	private final LongAdder[] lockWaitNanos = adders(LockWaitOutcome.values().length);

	private final LongAdder[] refreshes = adders(RefreshTrigger.values().length);

	private final LongAdder staleServed = new LongAdder();

	private final LongAdder staleServedOnError = new LongAdder();

	private final LongAdder oversized = new LongAdder();

	private final LongAdder unreadable = new LongAdder();

	private final LongAdder otherSchema = new LongAdder();

	private final LongAdder disallowed = new LongAdder();

	private final LongAdder batches = new LongAdder();

	private final LongAdder batchKeys = new LongAdder();

	private final java.util.List<java.util.function.IntConsumer> batchListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

	private static final DurationListener[] NO_LISTENERS = {};

	private volatile DurationListener[] durationListeners = NO_LISTENERS;

	private static LongAdder[] adders(int n) {
		LongAdder[] adders = new LongAdder[n];
		for (int i = 0; i < n; i++) {
			adders[i] = new LongAdder();
		}
		return adders;
	}

	void hit(Tier tier) {
		this.hits[tier.ordinal()].increment();
	}

	void miss(Tier tier) {
		this.misses[tier.ordinal()].increment();
	}

	void put(Tier tier) {
		this.puts[tier.ordinal()].increment();
	}

	void eviction(Tier tier, EvictionCause cause) {
		this.evictions[tier.ordinal()][cause.ordinal()].increment();
	}

	void load(long nanos, boolean success) {
		int i = success ? 0 : 1;
		this.loadCount[i].increment();
		this.loadNanos[i].add(nanos);
		for (DurationListener listener : this.durationListeners) {
			listener.loadFinished(nanos, success);
		}
	}

	void lockWait(long nanos, LockWaitOutcome outcome) {
		this.lockWaitCount[outcome.ordinal()].increment();
		this.lockWaitNanos[outcome.ordinal()].add(nanos);
		for (DurationListener listener : this.durationListeners) {
			listener.lockWaitFinished(nanos, outcome);
		}
	}

	/**
	 * Registers a listener of load and lock wait durations, unless an equal one is already
	 * registered (binding the same meters twice must not count every sample twice).
	 * @param listener the listener, called on the thread that loaded or waited
	 */
	public synchronized void addDurationListener(DurationListener listener) {
		for (DurationListener registered : this.durationListeners) {
			if (registered.equals(listener)) {
				return;
			}
		}
		DurationListener[] grown = Arrays.copyOf(this.durationListeners, this.durationListeners.length + 1);
		grown[grown.length - 1] = listener;
		this.durationListeners = grown;
	}

	void refresh(RefreshTrigger trigger) {
		this.refreshes[trigger.ordinal()].increment();
	}

	void servedStale() {
		this.staleServed.increment();
	}

	void servedStaleOnError() {
		this.staleServedOnError.increment();
	}

	void oversized() {
		this.oversized.increment();
	}

	void unreadable() {
		this.unreadable.increment();
	}

	void otherSchema() {
		this.otherSchema.increment();
	}

	void disallowed() {
		this.disallowed.increment();
	}

	void batch(int keys) {
		this.batches.increment();
		this.batchKeys.add(keys);
		for (java.util.function.IntConsumer listener : this.batchListeners) {
			listener.accept(keys);
		}
	}

	/**
	 * Registers a listener told the size of every batch read, such as a distribution
	 * summary: a size distribution cannot be derived from counters alone.
	 * @param listener receives the number of distinct keys of each batch, on the reading
	 * thread; must be quick
	 */
	public void onBatch(java.util.function.IntConsumer listener) {
		this.batchListeners.add(listener);
	}

	/** Returns the number of batch reads ({@code getAll}, {@code @ReadThroughAll}). */
	public long batches() {
		return this.batches.sum();
	}

	/** Returns the number of distinct keys asked for by batch reads. */
	public long batchKeys() {
		return this.batchKeys.sum();
	}

	public long hits(Tier tier) {
		return this.hits[tier.ordinal()].sum();
	}

	public long misses(Tier tier) {
		return this.misses[tier.ordinal()].sum();
	}

	public long puts(Tier tier) {
		return this.puts[tier.ordinal()].sum();
	}

	public long evictions(Tier tier, EvictionCause cause) {
		return this.evictions[tier.ordinal()][cause.ordinal()].sum();
	}

	/**
	 * Returns the number of loads.
	 * @param success whether to count successful or failed loads
	 * @return the count
	 */
	public long loads(boolean success) {
		return this.loadCount[success ? 0 : 1].sum();
	}

	/**
	 * Returns the total time spent in loads.
	 * @param success whether successful or failed loads
	 * @param unit the unit
	 * @return the total time
	 */
	public double loadTime(boolean success, TimeUnit unit) {
		return (double) this.loadNanos[success ? 0 : 1].sum() / unit.toNanos(1);
	}

	public long lockWaits(LockWaitOutcome outcome) {
		return this.lockWaitCount[outcome.ordinal()].sum();
	}

	public double lockWaitTime(LockWaitOutcome outcome, TimeUnit unit) {
		return (double) this.lockWaitNanos[outcome.ordinal()].sum() / unit.toNanos(1);
	}

	public long refreshes(RefreshTrigger trigger) {
		return this.refreshes[trigger.ordinal()].sum();
	}

	public long staleServed() {
		return this.staleServed.sum();
	}

	/** Returns the number of expired values served in place of a failed load (stale-if-error). */
	public long staleServedOnError() {
		return this.staleServedOnError.sum();
	}

	/** Returns the number of values kept out of Redis for exceeding the size limit. */
	public long oversizedValues() {
		return this.oversized.sum();
	}

	/**
	 * Returns the number of Redis values written in another schema of the cache (by another
	 * version of the application) and passed over as misses.
	 */
	public long otherSchemaValues() {
		return this.otherSchema.sum();
	}

	/** Returns the number of Redis values that could not be read and counted as misses. */
	public long unreadableValues() {
		return this.unreadable.sum();
	}

	/**
	 * Returns the number of values kept out of Redis because they hold a class outside the
	 * serialization allow-list, which no instance could read back.
	 */
	public long disallowedValues() {
		return this.disallowed.sum();
	}

	/**
	 * Returns the hit ratio of a tier: hits over lookups, or NaN before any lookup.
	 * @param tier the tier
	 * @return the ratio
	 */
	public double hitRatio(Tier tier) {
		long h = hits(tier);
		long total = h + misses(tier);
		return (total == 0) ? Double.NaN : (double) h / total;
	}

}
