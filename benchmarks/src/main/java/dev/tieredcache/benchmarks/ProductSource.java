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

	private final int valueBytes;

	public ProductSource() {
		this(0);
	}

	/**
	 * Creates a source whose every load takes the given time.
	 * @param latencyMillis the load time
	 */
	public ProductSource(long latencyMillis) {
		this(latencyMillis, 0);
	}

	/**
	 * Creates a source whose every load takes the given time and whose products are padded
	 * to a size.
	 * @param latencyMillis the load time
	 * @param valueBytes the size of a product's JSON form (see {@link #product}), or 0 for
	 * the smallest product
	 */
	public ProductSource(long latencyMillis, int valueBytes) {
		this.latencyNanos = TimeUnit.MILLISECONDS.toNanos(latencyMillis);
		this.valueBytes = valueBytes;
	}

	/**
	 * Returns a product whose JSON form, {@code {"id":…,"name":"…","priceCents":…}}, is
	 * {@code valueBytes} long (the name is padded), so that every contender stores a value
	 * of the same size before its own encoding.
	 * @param id the id
	 * @param priceCents the price
	 * @param valueBytes the size, or 0 for no padding
	 * @return the product
	 */
	public static Product product(long id, long priceCents, int valueBytes) {
		String name = "product-" + id;
		int json = ("{\"id\":" + id + ",\"name\":\"" + name + "\",\"priceCents\":" + priceCents + "}").length();
		if (valueBytes > json) {
			name = name + "x".repeat(valueBytes - json);
		}
		return new Product(id, name, priceCents);
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
		return product(id, 100 * id, this.valueBytes);
	}

	/** Returns how many loads ran so far. */
	public long loads() {
		return this.loads.get();
	}

}
