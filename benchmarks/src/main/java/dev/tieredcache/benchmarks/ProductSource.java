package dev.tieredcache.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The "database" behind every cached method: builds a product, optionally after a delay,
 * and counts how often it really ran. One instance may be shared by several application
 * contexts, so that loads are counted across instances.
 */
public final class ProductSource {

	private final AtomicLong loads = new AtomicLong();

	private final long latencyNanos;

	public ProductSource() {
		this(0);
	}

	/**
	 * Creates a source whose every load takes the given time.
	 * @param latencyMillis the load time
	 */
	public ProductSource(long latencyMillis) {
		this.latencyNanos = TimeUnit.MILLISECONDS.toNanos(latencyMillis);
	}

	/**
	 * Loads a product.
	 * @param id its id
	 * @return the product
	 */
	public Product load(long id) {
		this.loads.incrementAndGet();
		if (this.latencyNanos > 0) {
			try {
				TimeUnit.NANOSECONDS.sleep(this.latencyNanos);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		return new Product(id, "product-" + id, 100 * id);
	}

	/** Returns how many loads ran so far. */
	public long loads() {
		return this.loads.get();
	}

}
