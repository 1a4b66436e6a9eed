package dev.tieredcache.metrics;

import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

import dev.tieredcache.metrics.CacheObservationContext.Step;

/**
 * The names and key values of a tiered cache's observations: {@code tiered.cache.load} and
 * {@code tiered.cache.l2.read}, with the low-cardinality key values {@code cache} (the cache
 * name) and {@code outcome}. No key, tag or value of the cache is ever a key value. An
 * application changes them with a {@code GlobalObservationConvention} of
 * {@link CacheObservationContext} registered on its {@code ObservationRegistry}.
 */
public class DefaultCacheObservationConvention implements ObservationConvention<CacheObservationContext> {

	/** The convention of loads. */
	public static final DefaultCacheObservationConvention LOAD = new DefaultCacheObservationConvention(Step.LOAD);

	/** The convention of Redis reads. */
	public static final DefaultCacheObservationConvention L2_READ = new DefaultCacheObservationConvention(
			Step.L2_READ);

	private final Step step;

	/**
	 * Creates the convention of one step.
	 * @param step the step
	 */
	protected DefaultCacheObservationConvention(Step step) {
		this.step = step;
	}

	@Override
	public boolean supportsContext(Observation.Context context) {
		return context instanceof CacheObservationContext cache && cache.getStep() == this.step;
	}

	@Override
	public String getName() {
		return this.step.observationName();
	}

	@Override
	public String getContextualName(CacheObservationContext context) {
		return this.step.observationName() + " " + context.getCacheName();
	}

	/**
	 * Returns {@code cache}, and {@code outcome} once the step ended: what is observed while it
	 * runs (a long task timer of active steps) carries the cache only.
	 */
	@Override
	public KeyValues getLowCardinalityKeyValues(CacheObservationContext context) {
		String outcome = context.getOutcome();
		return (outcome != null) ? KeyValues.of("cache", context.getCacheName(), "outcome", outcome)
				: KeyValues.of("cache", context.getCacheName());
	}

}
