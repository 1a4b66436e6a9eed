package dev.tieredcache.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;

/**
 * Issue 15, scenario 6, Redis memory per cached entry: each contender writes
 * {@code entries} products of 200 bytes (JSON size, see {@link ProductSource#product})
 * through its write path, on a {@code redis-server} of the run's own that holds nothing
 * else (flushed between contenders: it is private). Measured per entry: the
 * {@code used_memory} delta of {@code INFO memory}; the {@code MEMORY USAGE} of a sample of
 * the keys (all of them when few), scaled to every key; and the number of keys, as the
 * {@code DBSIZE} delta over the entries, so that whatever layout a contender uses (one key
 * per entry, two, or one hash for all) is counted as it is. The floor is a plain
 * {@code SET} of the 200 bytes under a key of the same length as the others' prefix.
 */
final class MemoryScenario {

	static final int VALUE_BYTES = 200;

	private static final int SAMPLES = 200;

	private static final int WRITERS = 4;

	private final int port;

	private final int entries;

	MemoryScenario(int port, int entries) {
		this.port = port;
		this.entries = entries;
	}

	Map<String, Object> run() throws Exception {
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("entries", this.entries);
		result.put("valueBytes", VALUE_BYTES);
		List<Object> rows = new ArrayList<>();
		try (RedisAccess redis = new RedisAccess(this.port)) {
			rows.add(measure(redis, Contender.STARTER, "starter", "starter"));
			rows.add(measure(redis, Contender.JETCACHE, Contender.JETCACHE.label(), "peer"));
			rows.add(measure(redis, Contender.REDISSON, Contender.REDISSON.label(), "peer"));
			rows.add(measure(redis, Contender.REDISSON_SPRING, Contender.REDISSON_SPRING.label(), "peer"));
			rows.add(measure(redis, Contender.SPRING, "reference: Spring `RedisCache`", "reference"));
			rows.add(floor(redis));
		}
		result.put("contenders", rows);
		return result;
	}

	private Map<String, Object> measure(RedisAccess redis, Contender contender, String name, String role)
			throws Exception {
		String prefix = RedisAccess.uniquePrefix("memory");
		ProductSource source = new ProductSource();
		// Spring's reference with immediate writes: the layout is the same, and every write
		// has landed when the writers are done (asynchronous writes may still be queued in
		// the client then, with the key count standing still for a while on a busy machine).
		try (CacheInstance instance = (contender == Contender.SPRING)
				? new SpringInstance(Instances.springRedis(this.port, prefix, source, false, true), false)
				: contender.start(this.port, prefix, source, Contender.Options.DEFAULT)) {
			return measure(redis, name, role, (id) -> instance.put(ProductSource.product(id, 100 * id, VALUE_BYTES)),
					instance::awaitWrites);
		}
	}

	private Map<String, Object> floor(RedisAccess redis) throws Exception {
		String prefix = RedisAccess.uniquePrefix("memory");
		byte[] value = RedisAccess.bytes("x".repeat(VALUE_BYTES));
		// A Lettuce connection is thread-safe: the writers share it.
		RedisCommands<byte[], byte[]> commands = redis.commands();
		return measure(redis, "floor: plain `SET` of the 200 bytes", "floor",
				(id) -> commands.set(RedisAccess.bytes(prefix + "products:" + id), value), () -> {
				});
	}

	private Map<String, Object> measure(RedisAccess redis, String name, String role, LongConsumer write,
			Runnable awaitWrites) throws Exception {
		redis.commands().flushall();
		long keysBefore = redis.commands().dbsize();
		long memoryBefore = redis.memoryInfo("used_memory");
		long started = System.nanoTime();
		parallel(write);
		awaitWrites.run();
		long written = System.nanoTime() - started;
		long keys = settledKeyCount(redis);
		long memoryAfter = redis.memoryInfo("used_memory");
		Map<String, Object> row = new LinkedHashMap<>();
		row.put("name", name);
		row.put("role", role);
		row.put("writeSeconds", Math.round(written / 1e6) / 1e3);
		row.put("keysPerEntry", (double) (keys - keysBefore) / this.entries);
		row.put("usedMemoryPerEntry", (double) (memoryAfter - memoryBefore) / this.entries);
		row.put("memoryUsagePerEntry", sampledUsage(redis, keys) / this.entries);
		redis.commands().flushall();
		System.out.println("  memory: " + row);
		return row;
	}

	/** Waits until the key count stops moving: some writes land after their call returned. */
	private static long settledKeyCount(RedisAccess redis) throws InterruptedException {
		long previous = -1;
		long keys = redis.commands().dbsize();
		while (keys != previous) {
			Thread.sleep(1000);
			previous = keys;
			keys = redis.commands().dbsize();
		}
		return keys;
	}

	/** Sums {@code MEMORY USAGE} over a sample of the keys and scales it to all of them. */
	private static double sampledUsage(RedisAccess redis, long keys) {
		List<byte[]> sample = redis.keys("*", SAMPLES);
		if (sample.isEmpty()) {
			return 0;
		}
		long total = 0;
		for (byte[] key : sample) {
			// SAMPLES 0: every field of an aggregate (a hash holding all entries) is counted.
			Long usage = redis.commands()
				.dispatch(CommandType.MEMORY, new IntegerOutput<>(ByteArrayCodec.INSTANCE),
						new CommandArgs<>(ByteArrayCodec.INSTANCE).add("USAGE").addKey(key).add("SAMPLES").add(0));
			total += (usage != null) ? usage : 0;
		}
		return (double) total / sample.size() * keys;
	}

	private void parallel(LongConsumer write) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
		try {
			List<Future<?>> parts = new ArrayList<>();
			for (int w = 0; w < WRITERS; w++) {
				int first = w;
				parts.add(pool.submit(() -> {
					for (long id = first; id < this.entries; id += WRITERS) {
						write.accept(id);
					}
				}));
			}
			for (Future<?> part : parts) {
				part.get(10, TimeUnit.MINUTES);
			}
		}
		finally {
			pool.shutdownNow();
		}
	}

}
