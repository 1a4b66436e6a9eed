package dev.tieredcache.audit;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the drift audits of one cache on this instance, read by the
 * {@code tiered.cache.audits}, {@code tiered.cache.drift} and
 * {@code tiered.cache.drift.repairs} meters.
 */
public final class DriftStatistics {

	/** How an audit ended. */
	public enum Result {

		/** The loader's value equals the cached one. */
		MATCH("match"),

		/** The loader's value differs from the cached one. */
		DRIFT("drift"),

		/**
		 * Nothing was compared: another load held the key's lock, the entry was gone,
		 * pending (write-behind) or changed while the audit ran, or Redis did not answer.
		 */
		SKIPPED("skipped"),

		/** The loader threw an exception. */
		FAILED("failed");

		private final String tagValue;

		Result(String tagValue) {
			this.tagValue = tagValue;
		}

		/** Returns the value of the {@code result} tag. */
		public String tagValue() {
			return this.tagValue;
		}

	}

	private final LongAdder[] audits = new LongAdder[Result.values().length];

	private final LongAdder repairs = new LongAdder();

	DriftStatistics() {
		for (int i = 0; i < this.audits.length; i++) {
			this.audits[i] = new LongAdder();
		}
	}

	void audited(Result result) {
		this.audits[result.ordinal()].increment();
	}

	void repaired() {
		this.repairs.increment();
	}

	/**
	 * Returns how many audits ended the given way.
	 * @param result the outcome
	 * @return the count
	 */
	public long audits(Result result) {
		return this.audits[result.ordinal()].sum();
	}

	/**
	 * Returns how many audits found the cached value differing from the loader's.
	 * @return the count
	 */
	public long drift() {
		return audits(Result.DRIFT);
	}

	/**
	 * Returns how many drifted entries were replaced by the loader's value.
	 * @return the count
	 */
	public long repairs() {
		return this.repairs.sum();
	}

}
