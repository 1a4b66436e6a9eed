package dev.tieredcache.metrics;

import io.micrometer.observation.Observation;
import org.jspecify.annotations.Nullable;

/**
 * What an observation of a tiered cache's load or Redis read knows: the cache, the step and,
 * once it ended, its outcome.
 */
public class CacheObservationContext extends Observation.Context {

	/** The step of a cache that is observed. */
	public enum Step {

		/** A run of the loader (the method or value loader) on a miss or a refresh. */
		LOAD("tiered.cache.load"),

		/** A read of one entry from Redis (L2). */
		L2_READ("tiered.cache.l2.read");

		private final String observationName;

		Step(String observationName) {
			this.observationName = observationName;
		}

		/** Returns the name of the observation, and of the timer it yields. */
		public String observationName() {
			return this.observationName;
		}

	}

	private final String cacheName;

	private final Step step;

	private volatile @Nullable String outcome;

	/**
	 * Creates a context.
	 * @param cacheName the cache's name
	 * @param step the observed step
	 */
	public CacheObservationContext(String cacheName, Step step) {
		this.cacheName = cacheName;
		this.step = step;
	}

	/** Returns the cache's name. */
	public String getCacheName() {
		return this.cacheName;
	}

	/** Returns the observed step. */
	public Step getStep() {
		return this.step;
	}

	/**
	 * Returns how the step ended: {@code success} or {@code failure} for a load; {@code hit},
	 * {@code miss} or {@code error} for a Redis read; null while it runs.
	 */
	public @Nullable String getOutcome() {
		return this.outcome;
	}

	void setOutcome(String outcome) {
		this.outcome = outcome;
	}

}
