package dev.tieredcache.audit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Hands out at most a given number of permits per fixed interval. A call costs a clock
 * read and a volatile read once the interval's permits are gone, so it can sit on the hit
 * path.
 */
final class PerInterval {

	private final int permits;

	private final long intervalNanos;

	private final LongSupplier nanoTime;

	private final AtomicReference<Window> window;

	/**
	 * Creates the limiter.
	 * @param permits the permits of each interval
	 * @param interval the interval
	 * @param nanoTime a monotonic clock in nanoseconds
	 */
	PerInterval(int permits, Duration interval, LongSupplier nanoTime) {
		this.permits = permits;
		this.intervalNanos = interval.toNanos();
		this.nanoTime = nanoTime;
		this.window = new AtomicReference<>(new Window(nanoTime.getAsLong()));
	}

	/**
	 * Takes a permit of the current interval.
	 * @return whether one was left
	 */
	boolean tryAcquire() {
		long now = this.nanoTime.getAsLong();
		Window current = this.window.get();
		if (now - current.start >= this.intervalNanos) {
			Window next = new Window(now);
			current = this.window.compareAndSet(current, next) ? next : this.window.get();
		}
		return current.used.get() < this.permits && current.used.incrementAndGet() <= this.permits;
	}

	private static final class Window {

		final long start;

		final AtomicInteger used = new AtomicInteger();

		Window(long start) {
			this.start = start;
		}

	}

}
