package dev.tieredcache.redis;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deliberately simple circuit breaker for the Redis tier.
 *
 * <p>Closed, it counts consecutive failures; at the threshold it opens and every caller
 * skips Redis at once instead of waiting for a timeout. Callers never close it: a single
 * background probe does, when Redis answers again, so that a dead Redis costs nobody a
 * timeout. Thread-safe; state changes are visible to all threads at once.
 */
public final class CircuitBreaker {

	private final int failureThreshold;

	private final Duration openDuration;

	private final AtomicInteger consecutiveFailures = new AtomicInteger();

	private final AtomicBoolean open = new AtomicBoolean();

	/**
	 * Creates a closed circuit breaker.
	 * @param failureThreshold consecutive failures that open it
	 * @param openDuration how long it stays open before a probe is due
	 */
	public CircuitBreaker(int failureThreshold, Duration openDuration) {
		this.failureThreshold = failureThreshold;
		this.openDuration = openDuration;
	}

	/** Returns whether Redis is currently skipped. */
	public boolean isOpen() {
		return this.open.get();
	}

	/** Returns how long the circuit stays open before Redis is probed again. */
	public Duration openDuration() {
		return this.openDuration;
	}

	void recordSuccess() {
		if (this.consecutiveFailures.get() != 0) {
			this.consecutiveFailures.set(0);
		}
	}

	/**
	 * Records a failure.
	 * @return true if this failure opened the circuit
	 */
	boolean recordFailure() {
		if (this.consecutiveFailures.incrementAndGet() >= this.failureThreshold) {
			return this.open.compareAndSet(false, true);
		}
		return false;
	}

	/** Opens the circuit now, as when Redis does not answer at start-up. */
	boolean forceOpen() {
		return this.open.compareAndSet(false, true);
	}

	/**
	 * Closes the circuit after a successful probe.
	 * @return true if it was open
	 */
	boolean close() {
		this.consecutiveFailures.set(0);
		return this.open.compareAndSet(true, false);
	}

}
