package dev.tieredcache.metrics;

import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import dev.tieredcache.cache.CacheStatistics;
import dev.tieredcache.cache.CacheStatistics.EvictionCause;
import dev.tieredcache.cache.CacheStatistics.LockWaitOutcome;
import dev.tieredcache.cache.CacheStatistics.RefreshTrigger;
import dev.tieredcache.cache.CacheStatistics.Tier;
import dev.tieredcache.cache.TieredCache;

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
 * <li>{@code tiered.cache.stale.served}: expired values served while being refreshed.</li>
 * <li>{@code tiered.cache.values.rejected} ({@code reason}): values kept out of Redis
 * ({@code oversized}: over {@code max-value-size}; {@code disallowed}: holding a class
 * outside the serialization allow-list) or found there and not read
 * ({@code unreadable}).</li>
 * <li>{@code tiered.cache.size} ({@code tier} = {@code l1}): estimated L1 entries.</li>
 * <li>{@code tiered.cache.batch.size}: distribution of the number of distinct keys of
 * batch reads ({@code getAll}, {@code @ReadThroughAll}).</li>
 * </ul>
 *
 * <p>Every meter is a function of the cache's {@link CacheStatistics}, read when the
 * registry is scraped: recording stays a {@code LongAdder} increment on the hot path, and
 * every combination of tag values is registered up front so that a series exists (at 0)
 * before its first event. The batch size distribution is the exception: a distribution
 * cannot be derived from counters, so each batch's size is recorded into it as it happens. Tag values are fixed enumerations: never keys, tags or values.
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
		bindLoads(registry, statistics, true);
		bindLoads(registry, statistics, false);
		for (LockWaitOutcome outcome : LockWaitOutcome.values()) {
			FunctionTimer
				.builder(PREFIX + "lock.waits", statistics, (s) -> s.lockWaits(outcome),
						(s) -> s.lockWaitTime(outcome, TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS)
				.tags(this.tags)
				.tag("outcome", outcome.tagValue())
				.description("Time callers waited on another caller's load of the same key, by how the wait ended")
				.register(registry);
		}
		for (RefreshTrigger trigger : RefreshTrigger.values()) {
			counter(registry, "refreshes", statistics, (s) -> s.refreshes(trigger),
					"Background refreshes of entries: early (XFetch) or stale-while-revalidate", "trigger",
					trigger.tagValue());
		}
		counter(registry, "stale.served", statistics, CacheStatistics::staleServed,
				"Expired values served while a background refresh replaces them");
		String rejected = "Values kept out of Redis (oversized, or holding a class outside the serialization "
				+ "allow-list) or found there and not read (unreadable)";
		counter(registry, "values.rejected", statistics, CacheStatistics::oversizedValues, rejected, "reason",
				"oversized");
		counter(registry, "values.rejected", statistics, CacheStatistics::disallowedValues, rejected, "reason",
				"disallowed");
		counter(registry, "values.rejected", statistics, CacheStatistics::unreadableValues, rejected, "reason",
				"unreadable");
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
	}

	private void bindLoads(MeterRegistry registry, CacheStatistics statistics, boolean success) {
		FunctionTimer
			.builder(PREFIX + "loads", statistics, (s) -> s.loads(success),
					(s) -> s.loadTime(success, TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS)
			.tags(this.tags)
			.tag("result", success ? "success" : "failure")
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

}
