package dev.tieredcache.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

import io.lettuce.core.api.sync.RedisCommands;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * Benchmark 2 again, interleaved: the contenders of {@link L2HitBenchmark} take turns, call
 * by call, on one thread, and each call is timed. JMH runs one contender after the other,
 * so on a shared machine a burst of load from elsewhere lands on some contenders and not on
 * others; here every contender sees the same load, and the medians of their call times give
 * ratios that hold on a busy machine. Complements the JMH figures, does not replace them.
 */
final class L2PairedScenario {

	private static final int KEYS = 1024;

	private final int port;

	private final int callsPerContender;

	L2PairedScenario(int port, int callsPerContender) {
		this.port = port;
		this.callsPerContender = callsPerContender;
	}

	Map<String, Object> run() {
		String prefix = RedisAccess.uniquePrefix("l2-paired");
		ProductSource source = new ProductSource();
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("callsPerContender", this.callsPerContender);
		try (RedisAccess redis = new RedisAccess(this.port)) {
			ConfigurableApplicationContext starter = Instances.starter(this.port, prefix, source,
					"tiered-cache.defaults.local.enabled=false");
			ConfigurableApplicationContext spring = Instances.springRedis(this.port, prefix + "spring:", source);
			try {
				StarterProducts products = starter.getBean(StarterProducts.class);
				SpringProducts reference = spring.getBean(SpringProducts.class);
				List<String> names = List.of("ReadThrough", "ReadThroughTagged", "ReadThroughVersioned", "Cacheable",
						"LettuceGet");
				List<LongFunction<Object>> calls = new ArrayList<>();
				calls.add(products::find);
				calls.add(products::findTagged);
				calls.add(products::findVersioned);
				calls.add(reference::find);
				for (int pass = 0; pass < 2; pass++) {
					for (long id = 0; id < KEYS; id++) {
						for (LongFunction<Object> call : calls) {
							call.apply(id);
						}
					}
				}
				if (source.loads() != 4L * KEYS) {
					throw new IllegalStateException("Expected " + 4 * KEYS + " loads, saw " + source.loads());
				}
				byte[][] rawKeys = redis.keys(prefix + "c:*", Integer.MAX_VALUE)
					.stream()
					.filter((key) -> new String(key).contains("{products@"))
					.toArray(byte[][]::new);
				if (rawKeys.length != KEYS) {
					throw new IllegalStateException("Found " + rawKeys.length + " starter values, expected " + KEYS);
				}
				RedisCommands<byte[], byte[]> commands = redis.commands();
				calls.add((id) -> commands.get(rawKeys[(int) id]));
				long[][] times = new long[calls.size()][this.callsPerContender];
				for (int i = 0; i < this.callsPerContender; i++) {
					long id = i & (KEYS - 1);
					for (int turn = 0; turn < calls.size(); turn++) {
						// Rotate the order, so no contender always follows the same one.
						int c = (turn + i) % calls.size();
						long t0 = System.nanoTime();
						Object value = calls.get(c).apply(id);
						times[c][i] = System.nanoTime() - t0;
						if (value == null) {
							throw new IllegalStateException(names.get(c) + " missed key " + id);
						}
					}
				}
				List<Object> rows = new ArrayList<>();
				for (int c = 0; c < calls.size(); c++) {
					Map<String, Object> row = new LinkedHashMap<>();
					row.put("cache", names.get(c));
					long[] sorted = times[c].clone();
					java.util.Arrays.sort(sorted);
					row.put("p50Us", Latencies.percentile(sorted, 50) / 1000.0);
					row.put("p90Us", Latencies.percentile(sorted, 90) / 1000.0);
					row.put("p99Us", Latencies.percentile(sorted, 99) / 1000.0);
					rows.add(row);
				}
				result.put("contenders", rows);
			}
			finally {
				starter.close();
				spring.close();
				redis.deletePrefix(prefix);
			}
		}
		return result;
	}

}
