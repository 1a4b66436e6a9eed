package dev.tieredcache.benchmarks;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

/**
 * Runs benchmarks 3 to 5 (and benchmark 2 interleaved, see {@link L2PairedScenario}), which are scenarios rather than micro-benchmarks, and writes
 * their results as JSON for {@link ReportGenerator}.
 *
 * <pre>
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/classpath.txt) \
 *     dev.tieredcache.benchmarks.Scenarios full|smoke results.json
 * </pre>
 *
 * The stampede and tag scenarios use the shared Redis ({@code -Dbench.redis.port}, default
 * 6379) under a prefix of their own; the round-trip scenario starts a {@code redis-server}
 * of its own (falling back to the shared one, whose counts then include other clients').
 */
public final class Scenarios {

	private Scenarios() {
	}

	public static void main(String[] args) throws Exception {
		boolean smoke = args.length > 0 && args[0].equals("smoke");
		File output = new File((args.length > 1) ? args[1] : "scenarios.json");
		int shared = Instances.port();
		Map<String, Object> results = new LinkedHashMap<>();
		results.put("mode", smoke ? "smoke" : "full");
		try (RedisAccess redis = new RedisAccess(shared)) {
			results.put("redisVersion", redis.serverInfo("redis_version"));
		}
		long started = System.nanoTime();
		System.out.println("Scenario: L2 hit, interleaved");
		results.put("l2Paired", new L2PairedScenario(shared, smoke ? 500 : 20_000).run());
		System.out.println("  l2 interleaved: " + results.get("l2Paired"));
		System.out.println("Scenario: stampede");
		results.put("stampede", smoke ? new StampedeScenario(shared, 2, 1).run() : new StampedeScenario(shared, 8, 10).run());
		System.out.println("  stampede: " + results.get("stampede"));
		System.out.println("Scenario: tag invalidation");
		results.put("tags", smoke ? new TagInvalidationScenario(shared, new int[] { 1, 100 }, 2).run()
				: new TagInvalidationScenario(shared, new int[] { 1, 1_000, 100_000 }, 30).run());
		System.out.println("Scenario: round trips");
		PrivateRedis own = PrivateRedis.startIfAvailable();
		try {
			Map<String, Object> roundTrips = new RoundTripScenario((own != null) ? own.port() : shared,
					smoke ? 10 : 200).run();
			roundTrips.put("privateServer", own != null);
			results.put("roundTrips", roundTrips);
		}
		finally {
			if (own != null) {
				own.close();
			}
		}
		results.put("seconds", Math.round((System.nanoTime() - started) / 1e9));
		JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValue(output, results);
		System.out.println("Scenario results written to " + output);
		System.exit(0);
	}

}
