package dev.tieredcache.benchmarks;

import java.io.File;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import tools.jackson.databind.json.JsonMapper;

/**
 * Runs the scenarios, which are programs rather than micro-benchmarks, and writes their
 * results as JSON for {@link ReportGenerator}: the interleaved L2 hit, the stampede, tag
 * invalidation and round trips of issue 6, the peer scenarios of issue 15 (interleaved
 * hits, miss and load, invalidation reach, memory per entry), the batch reads of issue 13,
 * value compression and write-behind against PostgreSQL (issue 14).
 *
 * <pre>
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/classpath.txt) \
 *     dev.tieredcache.benchmarks.Scenarios full|smoke results.json [name,name...]
 * </pre>
 *
 * The optional third argument runs only the named scenarios (the keys of the JSON). Most
 * scenarios use the shared Redis ({@code -Dbench.redis.port}, default 6379) under a prefix
 * of their own; round trips, batch reads, compression, write-behind and memory run on a
 * {@code redis-server} the run starts itself (the first four fall back to the shared one,
 * whose round-trip counts then include other clients';
 * memory is skipped without it, since it flushes its server). A scenario that fails is
 * recorded as failed, with its error, and the others still run.
 */
public final class Scenarios {

	private final Map<String, Object> results = new LinkedHashMap<>();

	private final List<String> only;

	private Scenarios(List<String> only) {
		this.only = only;
	}

	public static void main(String[] args) throws Exception {
		boolean smoke = args.length > 0 && args[0].equals("smoke");
		File output = new File((args.length > 1) ? args[1] : "scenarios.json");
		List<String> only = (args.length > 2) ? Arrays.asList(args[2].split(",")) : List.of();
		int shared = Instances.port();
		Scenarios scenarios = new Scenarios(only);
		scenarios.results.put("mode", smoke ? "smoke" : "full");
		try (RedisAccess redis = new RedisAccess(shared)) {
			scenarios.results.put("redisVersion", redis.serverInfo("redis_version"));
		}
		scenarios.results.put("loadAverageAtStart", loadAverage());
		long started = System.nanoTime();
		scenarios.run("l2Paired", () -> new L2PairedScenario(shared, smoke ? 500 : 20_000).run());
		scenarios.run("stampede",
				() -> smoke ? new StampedeScenario(shared, 2, 1).run() : new StampedeScenario(shared, 8, 10).run());
		scenarios.run("tags", () -> smoke ? new TagInvalidationScenario(shared, new int[] { 1, 100 }, 2).run()
				: new TagInvalidationScenario(shared, new int[] { 1, 1_000, 100_000 }, 30).run());
		scenarios.run("peerHits", () -> new PeerHitScenario(shared, smoke ? 50 : 3_000).run());
		scenarios.run("peerMiss", () -> new PeerMissScenario(shared, smoke ? 20 : 1_000).run());
		scenarios.run("peerBatch", () -> new PeerBatchScenario(shared, smoke ? 5 : 300).run());
		scenarios.run("reach",
				() -> new InvalidationReachScenario(shared, smoke ? 20 : 1_000, smoke ? 200 : 10_000).run());
		if (scenarios.wanted("roundTrips") || scenarios.wanted("batchReads") || scenarios.wanted("compression")
				|| scenarios.wanted("writeBehind") || scenarios.wanted("memory")) {
			PrivateRedis own = PrivateRedis.startIfAvailable();
			int counted = (own != null) ? own.port() : shared;
			try {
				scenarios.run("roundTrips", () -> {
					Map<String, Object> roundTrips = new RoundTripScenario(counted, smoke ? 10 : 200).run();
					roundTrips.put("privateServer", own != null);
					return roundTrips;
				});
				scenarios.run("batchReads", () -> {
					Map<String, Object> batch = smoke ? new BatchReadScenario(counted, 5, 2, 2).run()
							: new BatchReadScenario(counted, 150, 5, 20).run();
					batch.put("privateServer", own != null);
					return batch;
				});
				scenarios.run("compression", () -> smoke ? new CompressionScenario(counted, 32, 20, 8).run()
						: new CompressionScenario(counted, 512, 400, 16).run());
				scenarios.run("writeBehind", () -> {
					Map<String, Object> writeBehind = smoke ? new WriteBehindScenario(counted, 20, 20).run()
							: new WriteBehindScenario(counted, 300, 50).run();
					writeBehind.put("privateServer", own != null);
					return writeBehind;
				});
				// Last: it flushes its server.
				scenarios.run("memory", () -> (own != null) ? new MemoryScenario(own.port(), smoke ? 2_000 : 100_000).run()
						: Map.of("skipped", "no redis-server on the PATH: the scenario flushes its server"));
			}
			finally {
				if (own != null) {
					own.close();
				}
			}
		}
		scenarios.results.put("seconds", Math.round((System.nanoTime() - started) / 1e9));
		scenarios.results.put("loadAverageAtEnd", loadAverage());
		JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValue(output, scenarios.results);
		System.out.println("Scenario results written to " + output);
		System.exit(0);
	}

	/** Returns the machine's load averages over 1, 5 and 15 minutes, where Linux tells them. */
	static String loadAverage() {
		try {
			String[] fields = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
			return fields[0] + " / " + fields[1] + " / " + fields[2];
		}
		catch (java.io.IOException | RuntimeException ex) {
			return "unknown";
		}
	}

	private boolean wanted(String name) {
		return this.only.isEmpty() || this.only.contains(name);
	}

	private void run(String name, Callable<Map<String, Object>> scenario) {
		if (!wanted(name)) {
			return;
		}
		System.out.println("Scenario: " + name);
		long started = System.nanoTime();
		Map<String, Object> result;
		try {
			result = new LinkedHashMap<>(scenario.call());
		}
		catch (Throwable ex) {
			// A failing scenario (or a reference's quirk) must not cost the others' figures.
			ex.printStackTrace(System.out);
			result = new LinkedHashMap<>();
			result.put("failed", ex.toString());
		}
		result.put("seconds", Math.round((System.nanoTime() - started) / 1e8) / 10.0);
		this.results.put(name, result);
		System.out.println("  " + name + ": " + result);
	}

}
