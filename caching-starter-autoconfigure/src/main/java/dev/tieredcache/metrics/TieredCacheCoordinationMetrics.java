package dev.tieredcache.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import dev.tieredcache.redis.CircuitBreaker;
import dev.tieredcache.redis.CoordinationStatistics;
import dev.tieredcache.redis.CoordinationStatistics.InvalidationKind;

/**
 * Binds the meters of what the caches share through Redis:
 *
 * <ul>
 * <li>{@code tiered.cache.invalidations} ({@code kind} = {@code key} | {@code tag} |
 * {@code group} | {@code clear}, {@code origin} = {@code local} | {@code remote}).</li>
 * <li>{@code tiered.cache.redis.errors} ({@code operation}): failed Redis commands, one
 * series per operation of {@link CoordinationStatistics#operations()}.</li>
 * <li>{@code tiered.cache.redis.circuit}: 1 while the circuit breaker skips Redis, 0
 * otherwise.</li>
 * </ul>
 *
 * <p>None of them carries a {@code cache} tag. Tags and groups span every cache, so their
 * invalidations belong to none; key and clear invalidations could name one, but Prometheus
 * rejects a meter name whose series differ in tag keys, so {@code tiered.cache.invalidations}
 * has exactly {@code kind} and {@code origin} for every kind. Per-cache effects of
 * invalidations show in {@code tiered.cache.evictions} with {@code cause} = {@code explicit}
 * or {@code remote}.
 *
 * <p>Like {@link TieredCacheMetrics}, every meter reads the existing counters when scraped.
 */
public class TieredCacheCoordinationMetrics implements MeterBinder {

	private final CoordinationStatistics statistics;

	private final CircuitBreaker circuit;

	private final Tags tags;

	/**
	 * Creates the binder.
	 * @param statistics the counters of invalidations and Redis errors
	 * @param circuit the circuit breaker guarding Redis
	 * @param tags further tags of every meter
	 */
	public TieredCacheCoordinationMetrics(CoordinationStatistics statistics, CircuitBreaker circuit,
			Iterable<Tag> tags) {
		this.statistics = statistics;
		this.circuit = circuit;
		this.tags = Tags.of(tags);
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		for (InvalidationKind kind : InvalidationKind.values()) {
			for (boolean remote : new boolean[] { false, true }) {
				FunctionCounter
					.builder(TieredCacheMetrics.PREFIX + "invalidations", this.statistics,
							(s) -> s.invalidations(kind, remote))
					.tags(this.tags)
					.tag("kind", kind.tagValue())
					.tag("origin", remote ? "remote" : "local")
					.description("Invalidations of keys, tags, versioned groups and whole caches, "
							+ "made on this instance or received from others")
					.register(registry);
			}
		}
		FunctionCounter
			.builder(TieredCacheMetrics.PREFIX + "invalidations.missed", this.statistics,
					CoordinationStatistics::missedInvalidations)
			.tags(this.tags)
			.description("Times lost invalidation messages of another instance were detected, each time "
					+ "dropping this instance's L1")
			.register(registry);
		for (String operation : CoordinationStatistics.operations()) {
			FunctionCounter
				.builder(TieredCacheMetrics.PREFIX + "redis.errors", this.statistics,
						(s) -> s.redisErrors(operation))
				.tags(this.tags)
				.tag("operation", operation)
				.description("Redis commands of the tiered cache that failed or timed out")
				.register(registry);
		}
		Gauge.builder(TieredCacheMetrics.PREFIX + "redis.circuit", this.circuit, (c) -> c.isOpen() ? 1 : 0)
			.tags(this.tags)
			.description("Whether the circuit breaker skips Redis: 1 open, 0 closed")
			.register(registry);
	}

}
