package dev.tieredcache.metrics;

import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

import dev.tieredcache.audit.DriftAudit;
import dev.tieredcache.audit.DriftStatistics;
import dev.tieredcache.cache.CacheStatistics;
import dev.tieredcache.cache.CacheStatistics.DurationListener;
import dev.tieredcache.cache.CacheStatistics.EvictionCause;
import dev.tieredcache.cache.CacheStatistics.LockWaitOutcome;
import dev.tieredcache.cache.CacheStatistics.RefreshTrigger;
import dev.tieredcache.cache.CacheStatistics.Tier;
import dev.tieredcache.cache.HotKeys;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.existence.ExistenceFilter;

/**
 * Binds the {@code tiered.cache.*} meters of one {@link TieredCache}, each tagged with
 * {@code cache} (the cache name):
 *
 * <ul>
 * <li>{@code tiered.cache.gets} ({@code tier}, {@code result}): lookups per tier.</li>
 * <li>{@code tiered.cache.puts} ({@code tier}): entries stored per tier.</li>
 * <li>{@code tiered.cache.evictions} ({@code tier}, {@code cause}): entries that left a
 * tier, by cause.</li>
 * <li>{@code tiered.cache.loads} ({@code result}): timer of the runs of the underlying
 * method or value loader.</li>
 * <li>{@code tiered.cache.lock.waits} ({@code outcome}): timer of the waits on another
 * caller's load, in this JVM's Redis lock or another instance's.</li>
 * <li>{@code tiered.cache.refreshes} ({@code trigger}): background refreshes.</li>
 * <li>{@code tiered.cache.stale.served}: expired values served while being refreshed
 * ({@code reason=revalidate}) or in place of a failed load ({@code reason=error}).</li>
 * <li>{@code tiered.cache.values.rejected} ({@code reason}): values kept out of Redis
 * ({@code oversized}: over {@code max-value-size}; {@code disallowed}: holding a class
 * outside the serialization allow-list) or found there and not read
 * ({@code unreadable}), or found there written in another schema of the cache and passed
 * over ({@code other-schema}).</li>
 * <li>{@code tiered.cache.size} ({@code tier} = {@code l1}): estimated L1 entries.</li>
 * <li>{@code tiered.cache.batch.size}: distribution of the number of distinct keys of
 * batch reads ({@code getAll}, {@code @ReadThroughAll}).</li>
 * <li>{@code tiered.cache.hot.keys.share}: the share of the reads of the last one to two
 * minutes that went to the cache's top hot keys, between 0 and 1; only for caches whose
 * hot-key tracking is on.</li>
 * <li>{@code tiered.cache.existence.rejected}, {@code tiered.cache.existence.passed},
 * {@code tiered.cache.existence.skipped}: misses (both tiers missed) that the existence
 * filter answered as absent without a load, let through to the loader after a check, and
 * let through unchecked (no filter in Redis, Redis unreachable, adds of this instance
 * pending); only for caches with an existence filter.</li>
 * <li>{@code tiered.cache.audits} ({@code result}), {@code tiered.cache.drift},
 * {@code tiered.cache.drift.repairs}: drift audits by outcome, values found to differ from
 * the loader's, and those replaced; only for caches whose audit is on.</li>
 * </ul>
 *
 * <p>Counters and gauges are functions of the cache's {@link CacheStatistics}, read when the
 * registry is scraped: recording stays a {@code LongAdder} increment on the hot path. The two
 * timers are real {@link Timer}s, recorded as each load or lock wait ends, so that
 * {@code management.metrics.distribution.*} (percentiles, histograms, SLOs) applies to
 * them; only loads and lock waits record, never a hit. They count from the moment they are
 * bound. The batch size distribution, likewise, records each batch's size as it happens.
 * Every combination of tag values is registered up front so that a series exists (at 0)
 * before its first event. Tag values are fixed enumerations: never keys, tags or values.
 */
public class TieredCacheMetrics implements MeterBinder {

	static final String PREFIX = "tiered.cache.";

	private final TieredCache cache;

	private final Tags tags;

	/**
	 * Creates the binder of one cache.
	 * @param cache the cache
	 * @param tags further tags of every meter, such as the application's common tags
	 */
	public TieredCacheMetrics(TieredCache cache, Iterable<Tag> tags) {
		this.cache = cache;
		this.tags = Tags.concat(tags, "cache", cache.getName());
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		CacheStatistics statistics = this.cache.getStatistics();
		for (Tier tier : Tier.values()) {
			counter(registry, "gets", statistics, (s) -> s.hits(tier), "Lookups of the cache in one tier",
					"tier", tier.tagValue(), "result", "hit");
			counter(registry, "gets", statistics, (s) -> s.misses(tier), "Lookups of the cache in one tier",
					"tier", tier.tagValue(), "result", "miss");
			counter(registry, "puts", statistics, (s) -> s.puts(tier), "Entries stored in one tier of the cache",
					"tier", tier.tagValue());
			for (EvictionCause cause : EvictionCause.values()) {
				counter(registry, "evictions", statistics, (s) -> s.evictions(tier, cause),
						"Entries that left one tier of the cache, by cause", "tier", tier.tagValue(), "cause",
						cause.tagValue());
			}
		}
		Timer[] loads = { loadTimer(registry, "success"), loadTimer(registry, "failure") };
		Timer[] lockWaits = new Timer[LockWaitOutcome.values().length];
		for (LockWaitOutcome outcome : LockWaitOutcome.values()) {
			lockWaits[outcome.ordinal()] = Timer.builder(PREFIX + "lock.waits")
				.tags(this.tags)
				.tag("outcome", outcome.tagValue())
				.description("Time callers waited on another caller's load of the same key, by how the wait ended")
				.register(registry);
		}
		statistics.addDurationListener(new TimerRecorder(registry, loads, lockWaits));
		for (RefreshTrigger trigger : RefreshTrigger.values()) {
			counter(registry, "refreshes", statistics, (s) -> s.refreshes(trigger),
					"Background refreshes of entries: early (XFetch) or stale-while-revalidate", "trigger",
					trigger.tagValue());
		}
		String stale = "Expired values served: while a background refresh replaces them (revalidate) or in "
				+ "place of a failed load (error)";
		counter(registry, "stale.served", statistics, CacheStatistics::staleServed, stale, "reason", "revalidate");
		counter(registry, "stale.served", statistics, CacheStatistics::staleServedOnError, stale, "reason", "error");
		String rejected = "Values kept out of Redis (oversized, or holding a class outside the serialization "
				+ "allow-list) or found there and not read (unreadable, other-schema)";
		counter(registry, "values.rejected", statistics, CacheStatistics::oversizedValues, rejected, "reason",
				"oversized");
		counter(registry, "values.rejected", statistics, CacheStatistics::disallowedValues, rejected, "reason",
				"disallowed");
		counter(registry, "values.rejected", statistics, CacheStatistics::unreadableValues, rejected, "reason",
				"unreadable");
		counter(registry, "values.rejected", statistics, CacheStatistics::otherSchemaValues, rejected, "reason",
				"other-schema");
		Gauge.builder(PREFIX + "size", this.cache, TieredCache::getLocalSize)
			.tags(this.tags)
			.tag("tier", Tier.L1.tagValue())
			.description("Estimated number of entries in the in-process tier of the cache")
			.register(registry);
		DistributionSummary batchSize = DistributionSummary.builder(PREFIX + "batch.size")
			.tags(this.tags)
			.baseUnit("keys")
			.description("Distinct keys asked for by each batch read (getAll, @ReadThroughAll)")
			.register(registry);
		statistics.onBatch(batchSize::record);
		ExistenceFilter existence = this.cache.getExistenceFilter();
		if (existence != null) {
			existenceCounter(registry, "rejected", existence, ExistenceFilter::rejected,
					"Misses the existence filter answered as absent, without calling the loader");
			existenceCounter(registry, "passed", existence, ExistenceFilter::passed,
					"Misses the existence filter let through to the loader (the key may exist, or is a false positive)");
			existenceCounter(registry, "skipped", existence, ExistenceFilter::skipped,
					"Misses let through to the loader unchecked: no filter in Redis, Redis unreachable, or adds "
							+ "of this instance pending");
		}
		HotKeys hotKeys = this.cache.getHotKeys();
		if (hotKeys != null) {
			Gauge.builder(PREFIX + "hot.keys.share", hotKeys, (h) -> h.snapshot().share())
				.tags(this.tags)
				.description("Share of the recent reads of the cache that went to its top hot keys")
				.register(registry);
		}
		DriftAudit audit = this.cache.getDriftAudit();
		if (audit != null) {
			bindAudit(registry, audit.statistics());
		}
	}

	private void bindAudit(MeterRegistry registry, DriftStatistics statistics) {
		for (DriftStatistics.Result result : DriftStatistics.Result.values()) {
			FunctionCounter.builder(PREFIX + "audits", statistics, (s) -> s.audits(result))
				.tags(this.tags)
				.tag("result", result.tagValue())
				.description("Drift audits of cached values against the loader, by outcome")
				.register(registry);
		}
		FunctionCounter.builder(PREFIX + "drift", statistics, DriftStatistics::drift)
			.tags(this.tags)
			.description("Cached values found to differ from what the loader returns")
			.register(registry);
		FunctionCounter.builder(PREFIX + "drift.repairs", statistics, DriftStatistics::repairs)
			.tags(this.tags)
			.description("Drifted entries replaced by the loader's value (audit.repair)")
			.register(registry);
	}

	private void existenceCounter(MeterRegistry registry, String name, ExistenceFilter filter,
			ToDoubleFunction<ExistenceFilter> count, String description) {
		FunctionCounter.builder(PREFIX + "existence." + name, filter, count)
			.tags(this.tags)
			.description(description)
			.register(registry);
	}

	private Timer loadTimer(MeterRegistry registry, String result) {
		return Timer.builder(PREFIX + "loads")
			.tags(this.tags)
			.tag("result", result)
			.description("Runs of the underlying method or value loader on a miss or a refresh")
			.register(registry);
	}

	private void counter(MeterRegistry registry, String name, CacheStatistics statistics,
			ToDoubleFunction<CacheStatistics> count, String description, String... tags) {
		FunctionCounter.builder(PREFIX + name, statistics, count)
			.tags(this.tags)
			.tags(tags)
			.description(description)
			.register(registry);
	}

	/**
	 * Records the durations of one cache into the timers of one registry. Equal to another
	 * for the same registry, so that binding a cache twice to a registry records once.
	 */
	private static final class TimerRecorder implements DurationListener {

		private final MeterRegistry registry;

		private final Timer[] loads;

		private final Timer[] lockWaits;

		TimerRecorder(MeterRegistry registry, Timer[] loads, Timer[] lockWaits) {
			this.registry = registry;
			this.loads = loads;
			this.lockWaits = lockWaits;
		}

		@Override
		public void loadFinished(long nanos, boolean success) {
			this.loads[success ? 0 : 1].record(nanos, TimeUnit.NANOSECONDS);
		}

		@Override
		public void lockWaitFinished(long nanos, LockWaitOutcome outcome) {
			this.lockWaits[outcome.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof TimerRecorder recorder && recorder.registry == this.registry;
		}

		@Override
		public int hashCode() {
			return System.identityHashCode(this.registry);
		}

	}

}
