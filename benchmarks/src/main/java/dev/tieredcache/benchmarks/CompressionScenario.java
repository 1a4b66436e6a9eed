package dev.tieredcache.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * Compression of values in Redis: a document of some 10 KB of JSON (a title and a list of
 * text lines, see {@link ProductSource#document}) cached through {@code @ReadThrough} by two
 * instances of the starter, one with cache {@code documents} left as it is (compression off)
 * and one with {@code tiered-cache.caches.documents.compression.threshold=1KB} (and
 * {@code compression.enabled=true}, which the starter of this branch asks for). Measured per
 * entry: the bytes Redis holds ({@code STRLEN} of the entry key {@code {prefix}c:{documents@id}}
 * and its {@code MEMORY USAGE});
 * and the time of an L2 hit (L1 disabled), the two instances taking turns ({@link Interleaved}).
 *
 * <p>If a starter ignores the properties (they are bound leniently), both columns show the
 * same figures: the report says so.
 */
final class CompressionScenario {

	/** Size of a document's JSON form. */
	static final int DOCUMENT_BYTES = 10_000;

	static final String THRESHOLD = "1KB";

	private final int port;

	private final int entries;

	private final int turns;

	private final int batch;

	/**
	 * Creates the scenario.
	 * @param port the Redis port
	 * @param entries documents written (and read, cycled)
	 * @param turns samples per contender of the L2 hit time
	 * @param batch reads per sample
	 */
	CompressionScenario(int port, int entries, int turns, int batch) {
		this.port = port;
		this.entries = entries;
		this.turns = turns;
		this.batch = batch;
	}

	Map<String, Object> run() throws Exception {
		String prefix = RedisAccess.uniquePrefix("compression");
		ProductSource source = new ProductSource();
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("entries", this.entries);
		result.put("documentJsonBytes",
				JsonMapper.builder().build().writeValueAsBytes(ProductSource.document(0, DOCUMENT_BYTES)).length);
		result.put("threshold", THRESHOLD);
		try (RedisAccess redis = new RedisAccess(this.port)) {
			ConfigurableApplicationContext off = Instances.starter(this.port, prefix + "off:", source,
					"tiered-cache.defaults.local.enabled=false");
			ConfigurableApplicationContext on = Instances.starter(this.port, prefix + "on:", source,
					"tiered-cache.defaults.local.enabled=false",
					"tiered-cache.caches.documents.compression.enabled=true",
					"tiered-cache.caches.documents.compression.threshold=" + THRESHOLD);
			try {
				StarterProducts plain = off.getBean(StarterProducts.class);
				StarterProducts compressed = on.getBean(StarterProducts.class);
				for (long id = 0; id < this.entries; id++) {
					plain.findDocument(id);
					compressed.findDocument(id);
				}
				Document expected = ProductSource.document(1, DOCUMENT_BYTES);
				result.put("valuesReadBackEqual",
						expected.equals(plain.findDocument(1)) && expected.equals(compressed.findDocument(1)));
				List<Object> rows = new ArrayList<>();
				rows.add(bytes(redis, prefix + "off:", "off"));
				rows.add(bytes(redis, prefix + "on:", "on"));
				List<Map<String, Object>> timed = new Interleaved().add("off", "starter", plain::findDocument)
					.add("on", "starter", compressed::findDocument)
					.run(this.turns, this.batch, this.entries);
				for (int i = 0; i < rows.size(); i++) {
					@SuppressWarnings("unchecked")
					Map<String, Object> row = (Map<String, Object>) rows.get(i);
					Map<String, Object> times = timed.get(i);
					row.put("l2HitP50Us", ((Number) times.get("p50Ns")).longValue() / 1000.0);
					row.put("l2HitP90Us", ((Number) times.get("p90Ns")).longValue() / 1000.0);
					row.put("l2HitP99Us", ((Number) times.get("p99Ns")).longValue() / 1000.0);
				}
				result.put("contenders", rows);
				result.put("l2HitSamples", this.turns);
				result.put("l2HitReadsPerSample", this.batch);
				System.out.println("  compression: " + result);
			}
			finally {
				off.close();
				on.close();
				redis.deletePrefix(prefix);
			}
		}
		return result;
	}

	private Map<String, Object> bytes(RedisAccess redis, String prefix, String compression) {
		// The entry keys of the starter's layout, {prefix}c:{cache@key}.
		List<byte[]> keys = redis.keys(prefix + "c:*", Integer.MAX_VALUE);
		if (keys.size() != this.entries) {
			throw new IllegalStateException("Found " + keys.size() + " entry keys under " + prefix + "c:, expected "
					+ this.entries);
		}
		long strlen = 0;
		long usage = 0;
		for (byte[] key : keys) {
			strlen += redis.commands().strlen(key);
			usage += redis.memoryUsage(key);
		}
		Map<String, Object> row = new LinkedHashMap<>();
		row.put("compression", compression);
		row.put("strlenPerEntry", (double) strlen / keys.size());
		row.put("memoryUsagePerEntry", (double) usage / keys.size());
		return row;
	}

}
