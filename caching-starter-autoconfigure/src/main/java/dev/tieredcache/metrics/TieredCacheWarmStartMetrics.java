package dev.tieredcache.metrics;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;

import dev.tieredcache.warmup.WarmStartStatistics;

/**
 * Binds the warm-start meters: per cache with warm start on ({@code cache} tag),
 * {@code tiered.cache.warmup.entries} (counter: entries copied from Redis into L1 at
 * start-up) and {@code tiered.cache.warmup.duration} (time gauge: how long the copy took);
 * {@code tiered.cache.warmup.warmers} (counter, {@code result} = {@code success} |
 * {@code failure}: {@code TieredCacheWarmer}s run at start-up). Every meter reads the
 * existing counters when scraped.
 */
public class TieredCacheWarmStartMetrics implements MeterBinder {

	static final String PREFIX = TieredCacheMetrics.PREFIX + "warmup.";

	private final Supplier<Collection<String>> caches;

	private final WarmStartStatistics statistics;

	/**
	 * Creates the binder.
	 * @param caches the names of the caches with warm start on, when the meters are bound
	 * @param statistics what warm start did
	 */
	public TieredCacheWarmStartMetrics(Supplier<Collection<String>> caches, WarmStartStatistics statistics) {
		this.caches = caches;
		this.statistics = statistics;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		for (String cache : this.caches.get()) {
			WarmStartStatistics.Cache counters = this.statistics.of(cache);
			FunctionCounter.builder(PREFIX + "entries", counters, WarmStartStatistics.Cache::entries)
				.tag("cache", cache)
				.description("Entries copied from Redis into L1 by warm start, before the instance took traffic")
				.register(registry);
			TimeGauge.builder(PREFIX + "duration", counters, TimeUnit.SECONDS, WarmStartStatistics.Cache::seconds)
				.tag("cache", cache)
				.description("How long the warm start of the cache took at start-up")
				.register(registry);
		}
		for (boolean success : new boolean[] { true, false }) {
			FunctionCounter.builder(PREFIX + "warmers", this.statistics, (s) -> s.warmers(success))
				.tag("result", success ? "success" : "failure")
				.description("TieredCacheWarmer beans run at start-up")
				.register(registry);
		}
	}

}
