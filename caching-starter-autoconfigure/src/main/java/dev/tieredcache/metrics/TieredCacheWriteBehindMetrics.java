package dev.tieredcache.metrics;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

import dev.tieredcache.writebehind.WriteBehindMethod;
import dev.tieredcache.writebehind.WriteBehindMethods;
import dev.tieredcache.writebehind.WriteBehindStatistics;
import dev.tieredcache.writebehind.WriteBehindStatistics.Counters;

/**
 * Binds the write-behind meters of every write-behind cache, once every singleton exists
 * (when the write-behind methods are known), each tagged {@code cache}:
 * {@code tiered.cache.write.behind.pending} and {@code .oldest.age} (gauges, as the flusher
 * last saw the cache's backlog), {@code .flushes} (timer, {@code result} = {@code success} |
 * {@code failure}), {@code .coalesced}, {@code .dead.letters} and {@code .fallbacks}
 * (counters). Every meter reads the existing counters when scraped.
 */
public class TieredCacheWriteBehindMetrics implements SmartInitializingSingleton {

	static final String PREFIX = TieredCacheMetrics.PREFIX + "write.behind.";

	private final ObjectProvider<MeterRegistry> registries;

	private final WriteBehindMethods methods;

	private final WriteBehindStatistics statistics;

	public TieredCacheWriteBehindMetrics(ObjectProvider<MeterRegistry> registries, WriteBehindMethods methods,
			WriteBehindStatistics statistics) {
		this.registries = registries;
		this.methods = methods;
		this.statistics = statistics;
	}

	@Override
	public void afterSingletonsInstantiated() {
		this.registries.orderedStream().forEach(this::bindTo);
	}

	/**
	 * Binds the meters to one registry.
	 * @param registry the registry
	 */
	public void bindTo(MeterRegistry registry) {
		for (WriteBehindMethod method : this.methods.all()) {
			String cache = method.cache();
			Counters counters = this.statistics.of(cache);
			Gauge.builder(PREFIX + "pending", counters, Counters::pendingCount)
				.tag("cache", cache)
				.description("Pending write-behind writes of the cache (all instances)")
				.register(registry);
			Gauge.builder(PREFIX + "oldest.age", counters, Counters::oldestPendingAgeSeconds)
				.tag("cache", cache)
				.baseUnit("seconds")
				.description("Age of the oldest pending write-behind write that is due")
				.register(registry);
			for (boolean success : new boolean[] { true, false }) {
				FunctionTimer
					.builder(PREFIX + "flushes", counters, (c) -> c.flushCount(success),
							(c) -> c.flushTime(success, TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS)
					.tag("cache", cache)
					.tag("result", success ? "success" : "failure")
					.description("Calls of the write-behind flush method (or flushAll)")
					.register(registry);
			}
			FunctionCounter.builder(PREFIX + "coalesced", counters, Counters::coalescedCount)
				.tag("cache", cache)
				.description("Write-behind writes that replaced a pending value before it was flushed")
				.register(registry);
			FunctionCounter.builder(PREFIX + "dead.letters", counters, Counters::deadLetterCount)
				.tag("cache", cache)
				.description("Write-behind writes moved to the dead letters after max-attempts failed flushes")
				.register(registry);
			FunctionCounter.builder(PREFIX + "fallbacks", counters, Counters::fallbackCount)
				.tag("cache", cache)
				.description("Write-behind calls that ran the method at once because Redis could not take them")
				.register(registry);
		}
	}

}
