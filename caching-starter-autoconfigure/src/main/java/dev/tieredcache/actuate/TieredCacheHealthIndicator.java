package dev.tieredcache.actuate;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.CircuitBreaker;
import dev.tieredcache.redis.InvalidationSubscription;

/**
 * The {@code tieredCache} health contributor: how the cache is doing, without letting the
 * cache decide whether the application is in service.
 *
 * <p>The cache degrades gracefully: with Redis unreachable (circuit open) reads are served
 * from L1 and the loaders and writes reach the source of truth; with the subscription down,
 * L1 staleness is bounded by the local TTL. So the status is {@code UP} in every state,
 * except that an open circuit reports the configured status
 * ({@code tiered-cache.health.open-circuit-status}, {@code UP} by default), for teams that
 * want to be paged or taken out of rotation when L2 is gone. The details say what is
 * degraded:
 *
 * <ul>
 * <li>{@code mode}: {@code redis}, or {@code local} in the L1-only mode
 * ({@code tiered-cache.redis.enabled=false}), which has no circuit and no subscription.</li>
 * <li>{@code circuit}: {@code closed} (Redis in use) or {@code open} (Redis skipped until a
 * probe succeeds).</li>
 * <li>{@code subscription}: {@code listening} or {@code not listening} (invalidations from
 * other instances do not arrive; retried in the background).</li>
 * <li>{@code pendingInvalidations}: changes (writes, evictions, invalidations, clears)
 * that could not reach Redis yet and are retried until they land.</li>
 * </ul>
 *
 * Reading it costs no Redis command: it reports state the starter keeps anyway, so a
 * health check never waits on Redis. Thread-safe; each value is a moment's reading.
 */
public class TieredCacheHealthIndicator implements HealthIndicator {

	private final TieredCacheManager manager;

	private final @Nullable CircuitBreaker circuit;

	private final @Nullable InvalidationSubscription subscription;

	private final Status openCircuitStatus;

	/**
	 * Creates the indicator.
	 * @param manager the caches, for their pending invalidations
	 * @param circuit the circuit breaker guarding Redis, if known
	 * @param subscription the invalidation subscription, if any
	 * @param openCircuitStatus the status reported while the circuit is open
	 */
	public TieredCacheHealthIndicator(TieredCacheManager manager, @Nullable CircuitBreaker circuit,
			@Nullable InvalidationSubscription subscription, Status openCircuitStatus) {
		this.manager = manager;
		this.circuit = circuit;
		this.subscription = subscription;
		this.openCircuitStatus = openCircuitStatus;
	}

	@Override
	public Health health() {
		boolean open = this.circuit != null && this.circuit.isOpen();
		Health.Builder health = new Health.Builder(open ? this.openCircuitStatus : Status.UP);
		health.withDetail("mode", this.manager.getServices().localOnly() ? "local" : "redis");
		if (this.circuit != null) {
			health.withDetail("circuit", open ? "open" : "closed");
		}
		if (this.subscription != null) {
			health.withDetail("subscription", this.subscription.isListening() ? "listening" : "not listening");
		}
		return health.withDetail("pendingInvalidations", this.manager.pendingInvalidations()).build();
	}

}
