package dev.tieredcache.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The "database" behind every cached method: builds a product, optionally after a delay,
 * and counts how often it really ran. One instance may be shared by several application
 * contexts, so that loads are counted across instances. Batch loads ({@link #loadAll}) are
 * counted apart from single ones, with the keys each batch was given.
 */
public final class ProductSource {

	private final AtomicLong loads = new AtomicLong();

	private final AtomicLong batchLoads = new AtomicLong();

	private final Queue<List<Long>> batchKeys = new ConcurrentLinkedQueue<>();

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

	/**
	 * Loads many products in one call, as a {@code findAllById} would, without the delay
	 * of single loads; counted as one batch load, not as single loads.
	 * @param ids the ids
	 * @return a product for every id
	 */
	public Map<Long, Product> loadAll(Collection<Long> ids) {
		this.batchLoads.incrementAndGet();
		this.batchKeys.add(new ArrayList<>(ids));
		Map<Long, Product> products = new LinkedHashMap<>();
		for (Long id : ids) {
			products.put(id, product(id, 100 * id, this.valueBytes));
		}
		return products;
	}

	/** Returns how many batch loads ran so far. */
	public long batchLoads() {
		return this.batchLoads.get();
	}

	/** Returns and forgets the keys each batch load was given since the last call. */
	public List<List<Long>> drainBatchKeys() {
		List<List<Long>> drained = new ArrayList<>();
		List<Long> keys;
		while ((keys = this.batchKeys.poll()) != null) {
			drained.add(keys);
		}
		return drained;
	}

	/**
	 * Returns a document whose JSON form is about {@code bytes} long: a title and lines of
	 * text such as a service's JSON payloads hold (repetitive words, varying numbers), for
	 * the compression scenario.
	 * @param id the id
	 * @param bytes the approximate size of its JSON form
	 * @return the document
	 */
	public static Document document(long id, int bytes) {
		String title = "Document " + id;
		List<String> lines = new ArrayList<>();
		int size = ("{\"id\":" + id + ",\"title\":\"" + title + "\",\"lines\":[]}").length();
		for (int i = 0; size < bytes; i++) {
			String line = "line " + i + " of document " + id + ": status=" + ((i % 3 == 0) ? "ACTIVE" : "PENDING")
					+ ", owner=team-" + (i * 7 + id) % 13 + ", region=eu-west-" + (i % 3) + ", amount="
					+ (i * 31 + id) % 10_000 + ", tags=[alpha, beta]";
			lines.add(line);
			size += line.length() + 3;
		}
		return new Document(id, title, lines);
	}

}
