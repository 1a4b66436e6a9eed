package dev.tieredcache.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

import org.springframework.context.ConfigurableApplicationContext;

import dev.tieredcache.TieredCacheOperations;

/**
 * Benchmark 5, Redis round trips per operation, counted by Redis itself: {@code INFO
 * commandstats} before and after {@code ops} repetitions of each read and write path
 * (every command the server ran, those inside Lua scripts included), and the {@code MONITOR}
 * stream, which tells a client's commands (round trips) from a script's.
 *
 * <p>Runs on a Redis server of its own (see {@code run.sh}), since on a shared server other
 * clients' commands would land in the counts. Goal (issue 6, item 5): one round trip per L2
 * read in steady state.
 */
final class RoundTripScenario {

	/** Commands the measurement itself sends. */
	private static final Set<String> OWN = Set.of("info", "echo", "monitor");

	private static final long SETTLE_MILLIS = 200;

	/** Keeps the starter's periodic heartbeat PUBLISH out of the per-operation counts. */
	private static final String QUIET = "tiered-cache.redis.repair-interval=10m";

	private final int port;

	private final int ops;

	RoundTripScenario(int port, int ops) {
		this.port = port;
		this.ops = ops;
	}

	Map<String, Object> run() throws Exception {
		String prefix = RedisAccess.uniquePrefix("roundtrips");
		ProductSource source = new ProductSource();
		List<Object> rows = new ArrayList<>();
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("opsPerRow", this.ops);
		try (RedisAccess redis = new RedisAccess(this.port); MonitorTap tap = new MonitorTap(this.port)) {
			result.put("redisVersion", redis.serverInfo("redis_version"));
			// The heartbeat (one PUBLISH per instance per repair interval, 1 s by default) is
			// periodic, not per operation: at 1 s it lands in whichever row is being counted.
			ConfigurableApplicationContext l1 = Instances.starter(this.port, prefix, source, QUIET);
			ConfigurableApplicationContext l2 = Instances.starter(this.port, prefix + "l2:", source, QUIET,
					"tiered-cache.defaults.local.enabled=false");
			ConfigurableApplicationContext spring = Instances.springRedis(this.port, prefix + "spring:", source);
			try {
				StarterProducts local = l1.getBean(StarterProducts.class);
				StarterProducts remote = l2.getBean(StarterProducts.class);
				TieredCacheOperations operations = l1.getBean(TieredCacheOperations.class);
				SpringProducts reference = spring.getBean(SpringProducts.class);
				AtomicLong fresh = new AtomicLong(1_000_000);
				byte[] floorKey = RedisAccess.bytes(prefix + "floor");
				redis.commands().set(floorKey, new byte[64]);
				warm(local::find, remote::find, remote::findTagged, remote::findVersioned, reference::find);

				rows.add(count(redis, tap, "starter", "L1 hit, @ReadThrough", local::find));
				rows.add(count(redis, tap, "starter", "L2 hit, @ReadThrough (L1 disabled)", remote::find));
				rows.add(count(redis, tap, "starter", "L2 hit, @ReadThrough with 2 tags", remote::findTagged));
				rows.add(count(redis, tap, "starter", "L2 hit, @ReadThrough in a versioned group",
						remote::findVersioned));
				rows.add(count(redis, tap, "starter", "miss and load, @ReadThrough",
						(i) -> remote.find(fresh.incrementAndGet())));
				rows.add(count(redis, tap, "starter", "write, @WriteThrough",
						(i) -> local.save(new Product(i, "saved", i))));
				rows.add(count(redis, tap, "starter", "evict, @WriteThrough(mode = EVICT)", local::delete));
				rows.add(count(redis, tap, "starter", "invalidate a tag, @InvalidateTags",
						(i) -> local.invalidateCatalog()));
				rows.add(count(redis, tap, "starter", "bump a group, @VersionedGroup(bump = true)",
						(i) -> operations.bumpVersion("group-" + (i % 4))));
				rows.add(count(redis, tap, "reference", "hit, @Cacheable (RedisCacheManager)", reference::find));
				rows.add(count(redis, tap, "reference", "miss and load, @Cacheable",
						(i) -> reference.find(fresh.incrementAndGet())));
				rows.add(count(redis, tap, "reference", "miss and load, @Cacheable(sync = true)",
						(i) -> reference.findSync(fresh.incrementAndGet())));
				rows.add(count(redis, tap, "reference", "write, @CachePut",
						(i) -> reference.save(new Product(i, "saved", i))));
				rows.add(count(redis, tap, "reference", "evict, @CacheEvict", reference::delete));
				rows.add(count(redis, tap, "floor", "Lettuce GET", (i) -> redis.commands().get(floorKey)));
			}
			finally {
				l1.close();
				l2.close();
				spring.close();
				redis.deletePrefix(prefix);
			}
		}
		result.put("operations", rows);
		return result;
	}

	@SafeVarargs
	private void warm(java.util.function.LongFunction<Product>... reads) {
		for (java.util.function.LongFunction<Product> read : reads) {
			for (long i = 0; i < this.ops; i++) {
				read.apply(i);
			}
		}
	}

	private Map<String, Object> count(RedisAccess redis, MonitorTap tap, String side, String operation,
			LongConsumer call) throws InterruptedException {
		// One pass first, so that first-use work (script loading, version reads) is not
		// counted: the goal is about the steady state.
		for (long i = 0; i < Math.min(20, this.ops); i++) {
			call.accept(i);
		}
		Thread.sleep(SETTLE_MILLIS);
		sync(redis, tap);
		tap.drain();
		Map<String, Long> before = redis.commandCalls();
		for (long i = 0; i < this.ops; i++) {
			call.accept(i);
		}
		// Spring's cache may apply puts and evictions after returning; let them land.
		Thread.sleep(SETTLE_MILLIS);
		Map<String, Long> after = redis.commandCalls();
		sync(redis, tap);
		Map<String, Long> monitored = tap.drain();
		Map<String, Double> executed = new TreeMap<>();
		after.forEach((command, calls) -> {
			long delta = calls - before.getOrDefault(command, 0L);
			if (delta > 0 && !OWN.contains(command)) {
				executed.put(command, perOp(delta));
			}
		});
		Map<String, Double> sent = new TreeMap<>();
		long roundTrips = 0;
		for (Map.Entry<String, Long> entry : monitored.entrySet()) {
			String command = entry.getKey().substring(entry.getKey().indexOf(':') + 1);
			if (entry.getKey().startsWith("client:") && !OWN.contains(command)) {
				sent.put(command, perOp(entry.getValue()));
				roundTrips += entry.getValue();
			}
		}
		Map<String, Object> row = new LinkedHashMap<>();
		row.put("side", side);
		row.put("operation", operation);
		row.put("roundTripsPerOp", perOp(roundTrips));
		row.put("sentPerOp", sent);
		row.put("executedPerOp", executed);
		System.out.println("  round trips: " + row);
		return row;
	}

	private void sync(RedisAccess redis, MonitorTap tap) throws InterruptedException {
		String marker = "bench-marker-" + System.nanoTime();
		redis.commands().echo(RedisAccess.bytes(marker));
		tap.awaitLine(marker);
	}

	private double perOp(long count) {
		return Math.round(100.0 * count / this.ops) / 100.0;
	}

}
