package dev.tieredcache.redis;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * Counters of the work the caches share through Redis: invalidations by kind and origin,
 * and Redis errors by operation. Meters read them; they never reset.
 */
public final class CoordinationStatistics {

	/** What an invalidation removed. */
	public enum InvalidationKind {

		/** One key of one cache. */
		KEY,
		/** Every entry carrying a tag. */
		TAG,
		/** Every entry of a versioned group. */
		GROUP,
		/** A whole cache. */
		CLEAR;

		/** Returns the tag value used in meters. */
		public String tagValue() {
			return name().toLowerCase();
		}

	}

	private final LongAdder[][] invalidations = new LongAdder[InvalidationKind.values().length][2];

	private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

	private final LongAdder missedInvalidations = new LongAdder();

	public CoordinationStatistics() {
		for (LongAdder[] byOrigin : this.invalidations) {
			byOrigin[0] = new LongAdder();
			byOrigin[1] = new LongAdder();
		}
	}

	/**
	 * Records an invalidation.
	 * @param kind what it removed
	 * @param remote whether it came from another instance
	 */
	public void invalidation(InvalidationKind kind, boolean remote) {
		this.invalidations[kind.ordinal()][remote ? 1 : 0].increment();
	}

	/**
	 * Returns the number of invalidations of a kind and origin.
	 * @param kind the kind
	 * @param remote whether from another instance
	 * @return the count
	 */
	public long invalidations(InvalidationKind kind, boolean remote) {
		return this.invalidations[kind.ordinal()][remote ? 1 : 0].sum();
	}

	/** Records that invalidation messages of another instance were lost. */
	public void invalidationsMissed() {
		this.missedInvalidations.increment();
	}

	/**
	 * Returns how many times lost invalidation messages were detected (each time, L1 and
	 * the versions held in memory were dropped).
	 * @return the count
	 */
	public long missedInvalidations() {
		return this.missedInvalidations.sum();
	}

	void redisError(String operation) {
		this.errors.computeIfAbsent(operation, (op) -> new LongAdder()).increment();
	}

	/**
	 * Returns the number of failed Redis operations of one kind.
	 * @param operation the operation, such as {@code get} or {@code write}
	 * @return the count
	 */
	public long redisErrors(String operation) {
		LongAdder adder = this.errors.get(operation);
		return (adder != null) ? adder.sum() : 0;
	}

	/**
	 * Calls the action for each operation that failed at least once.
	 * @param action receives the operation and its count
	 */
	public void forEachRedisError(BiConsumer<String, Long> action) {
		this.errors.forEach((op, adder) -> action.accept(op, adder.sum()));
	}

	/** Returns the operations whose errors are counted, for meters registered up front. */
	public static String[] operations() {
		return new String[] { "get", "load-start", "fill", "write", "version", "release", "ping", "heartbeat" };
	}

}
