package dev.tieredcache.benchmarks;

import static dev.tieredcache.benchmarks.ReportGenerator.allocated;
import static dev.tieredcache.benchmarks.ReportGenerator.fmt;
import static dev.tieredcache.benchmarks.ReportGenerator.has;
import static dev.tieredcache.benchmarks.ReportGenerator.map;
import static dev.tieredcache.benchmarks.ReportGenerator.number;
import static dev.tieredcache.benchmarks.ReportGenerator.ratio;
import static dev.tieredcache.benchmarks.ReportGenerator.scenario;
import static dev.tieredcache.benchmarks.ReportGenerator.score;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the peer sections of the report (issue 15): the starter against JetCache and
 * Redisson, with Spring's reference and the floor, a table per scenario, the settings of
 * every contender, and each goal of issue 15 marked met or missed (through the
 * {@link GoalSink}). A scenario without figures gets a line saying so; the others are
 * still written.
 */
final class PeersReport {

	/** Receives a goal: its item number, text, the measured figure and whether it is met. */
	@FunctionalInterface
	interface GoalSink {

		void goal(String number, String goal, String measured, boolean met);

	}

	private final StringBuilder md;

	private final GoalSink goals;

	PeersReport(StringBuilder md, GoalSink goals) {
		this.md = md;
		this.goals = goals;
	}

	void write(List<Map<String, Object>> l1, List<Map<String, Object>> l1TwoThreads, List<Map<String, Object>> gc,
			Map<String, Object> scenarios) {
		this.md.append("# Peers: JetCache and Redisson (issue 15)\n\n");
		this.md.append("The starter against the two libraries a team choosing a two-tier cache for Spring compares it ")
			.append("with, in the same run, the same JVM and against the same Redis as everything above. All of them ")
			.append("run on Spring Boot 4's class path without conflict (Lettuce 6.8 for the starter, Spring and ")
			.append("JetCache; Netty 4.2 and Jackson 2 for Redisson beside Boot's Jackson 3), so no peer needed a JVM ")
			.append("of its own. Ratios first: *vs. best peer* divides by the fastest of JetCache and Redisson.\n\n");
		settings();
		part("P1. L1 hit", () -> l1(l1, l1TwoThreads, scenario(scenarios, "peerHits")));
		part("P2. L2 hit", () -> l2(scenario(scenarios, "peerHits")));
		part("P3. Miss and load", () -> miss(scenario(scenarios, "peerMiss")));
		stampede();
		part("P5. Invalidation reach", () -> reach(scenario(scenarios, "reach")));
		part("P6. Redis memory per entry", () -> memory(scenario(scenarios, "memory")));
		part("P7. Allocation per L1 hit", () -> allocation(gc));
		part("P8. Batch read and write-behind", () -> batch(scenario(scenarios, "peerBatch")));
	}

	private void part(String title, Runnable writer) {
		int start = this.md.length();
		try {
			writer.run();
		}
		catch (RuntimeException ex) {
			this.md.setLength(start);
			this.md.append("## ").append(title).append("\n\n**No figures**: ").append(ex.getMessage()).append("\n\n");
			this.goals.goal("15", title, "no figures", false);
		}
	}

	private void settings() {
		this.md.append("## Settings of each contender\n\n| Contender | Settings |\n|---|---|\n");
		for (Contender contender : Contender.values()) {
			this.md.append("| ").append(contender.label()).append(" | ").append(contender.settings()).append(" |\n");
		}
		this.md.append("| floor | Caffeine `getIfPresent` (L1); one Lettuce `GET` (L2); `GET` + `SET` (miss); ")
			.append("Redis pub/sub delivery (reach); a plain `SET` (memory) |\n\n");
		this.md.append("Local tiers: 10,000 entries (the starter's default; 20,000 in the burst of P5), 1-minute time ")
			.append("to live, for every contender that has one; Redis time to live 10 minutes where a contender has ")
			.append("one per entry.\n\n");
	}

	// P1

	private void l1(List<Map<String, Object>> jmh, List<Map<String, Object>> jmhTwo, Map<String, Object> hits) {
		this.md.append("## P1. L1 hit\n\n");
		this.md.append("JMH `L1HitBenchmark` (1,024 keys, every one in the local tier), with 1 and 2 threads; ")
			.append("*scaling* is the throughput with 2 threads over that with 1 (2 × time per op with 1 thread / ")
			.append("time per op with 2 threads): 2.00× is perfect on 2 cores.\n\n");
		this.md.append("| Contender | 1 thread ns/op | 2 threads ns/op | scaling 1→2 | vs. best peer (1 thread) ")
			.append("| vs. floor |\n|---|---:|---:|---:|---:|---:|\n");
		String[][] rows = { { "ReadThrough", "starter: `@ReadThrough`" },
				{ "TieredCacheGet", "starter: `TieredCache.get(key, type)`" },
				{ "JetCache", Contender.JETCACHE.label() + ": `computeIfAbsent`" },
				{ "Redisson", Contender.REDISSON.label() + ": `get`" },
				{ "Cacheable", "reference: Spring `@Cacheable`, `CaffeineCacheManager`" },
				{ "Caffeine", "floor: Caffeine `getIfPresent`" } };
		double bestPeer = Math.min(score(jmh, "JetCache").value(), score(jmh, "Redisson").value());
		double floor = score(jmh, "Caffeine").value();
		double starterScaling = Double.NaN;
		for (String[] row : rows) {
			double one = score(jmh, row[0]).value();
			double two = has(jmhTwo, row[0]) ? score(jmhTwo, row[0]).value() : Double.NaN;
			double scaling = 2 * one / two;
			if (row[0].equals("ReadThrough")) {
				starterScaling = scaling;
			}
			this.md.append("| ").append(row[1]).append(" | ").append(fmt(one)).append(" | ").append(fmt(two))
				.append(" | ").append(ratio(scaling)).append(" | ").append(ratio(one / bestPeer)).append(" | ")
				.append(ratio(one / floor)).append(" |\n");
		}
		double readThrough = score(jmh, "ReadThrough").value();
		double tieredGet = score(jmh, "TieredCacheGet").value();
		this.goals.goal("15", "L1 hit through `@ReadThrough` ≤ 1.0× the best peer (JMH)", ratio(readThrough / bestPeer),
				readThrough <= bestPeer);
		this.goals.goal("15", "L1 hit through `TieredCache.get` ≤ 2× the Caffeine floor (JMH)",
				ratio(tieredGet / floor), tieredGet <= 2 * floor);
		// Two threads cannot give more than twice the throughput of one: a figure well above
		// 2 says that the machine's load changed between the two runs, not how the tier scales.
		boolean plausible = starterScaling <= 2.2;
		this.goals.goal("15", "L1 throughput of `@ReadThrough` scales ≥ 1.8× from 1 to 2 threads (JMH)",
				ratio(starterScaling) + (plausible ? "" : ": more than 2 threads can give, not measured"),
				plausible && starterScaling >= 1.8);
		this.md.append("\nInterleaved (`PeerHitScenario`, ").append(fmt(number(hits.get("turns"))))
			.append(" turns of ").append(PeerHitScenario.L1_BATCH)
			.append(" calls each, one thread, the contenders taking turns):\n\n");
		List<Map<String, Object>> interleaved = rows(hits.get("l1"));
		double medianRatio = table(interleaved, "ns", 1);
		this.goals.goal("15", "L1 hit: starter ≤ 1.0× the best peer (interleaved medians)", ratio(medianRatio),
				medianRatio <= 1.0);
	}

	/**
	 * Writes an interleaved table: p50, p90, p99 and the median's ratios to the best peer,
	 * the reference and the floor.
	 * @return the worst ratio of a starter row's median to the best peer's
	 */
	private double table(List<Map<String, Object>> rows, String unit, double divisor) {
		double bestPeer = Double.MAX_VALUE;
		double reference = Double.NaN;
		double floor = Double.NaN;
		for (Map<String, Object> row : rows) {
			double p50 = number(row.get("p50Ns")) / divisor;
			switch (String.valueOf(row.get("role"))) {
				case "peer" -> bestPeer = Math.min(bestPeer, p50);
				case "reference" -> reference = p50;
				case "floor" -> floor = p50;
				default -> {
				}
			}
		}
		this.md.append("| Contender | p50 ").append(unit).append(" | p90 ").append(unit).append(" | p99 ").append(unit)
			.append(" | p50 vs. best peer | vs. reference | vs. floor |\n|---|---:|---:|---:|---:|---:|---:|\n");
		double worst = 0;
		for (Map<String, Object> row : rows) {
			double p50 = number(row.get("p50Ns")) / divisor;
			this.md.append("| ").append(row.get("name")).append(" | ").append(fmt(p50)).append(" | ")
				.append(fmt(number(row.get("p90Ns")) / divisor)).append(" | ")
				.append(fmt(number(row.get("p99Ns")) / divisor)).append(" | ").append(ratio(p50 / bestPeer))
				.append(" | ").append(ratio(p50 / reference)).append(" | ").append(ratio(p50 / floor)).append(" |\n");
			if ("starter".equals(row.get("role"))) {
				worst = Math.max(worst, p50 / bestPeer);
			}
		}
		this.md.append('\n');
		return worst;
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> rows(Object value) {
		if (!(value instanceof List<?> list)) {
			throw new IllegalStateException("no rows");
		}
		return (List<Map<String, Object>>) list;
	}

	// P2

	private void l2(Map<String, Object> hits) {
		this.md.append("## P2. L2 hit\n\n");
		this.md.append("`PeerHitScenario`, interleaved, one call per turn, ").append(PeerHitScenario.L2_KEYS)
			.append(" keys in Redis, ").append(fmt(number(hits.get("turns")))).append(" turns: the starter with ")
			.append("its L1 off, JetCache's remote cache read alone and Redisson's hash read as a plain `RMap` ")
			.append("(their local tiers bypassed), Redisson's Spring cache (no local tier). Values of 200 B and ")
			.append("20 KB as JSON; each contender stores them in its own encoding. The floor `GET`s the bytes the ")
			.append("starter stored, without decoding them.\n\n");
		for (Map<String, Object> size : rows(hits.get("l2"))) {
			int bytes = (int) number(size.get("valueBytes"));
			String label = (bytes >= 1000) ? (bytes / 1000) + " KB" : bytes + " B";
			this.md.append("### Values of ").append(label).append("\n\n");
			double worst = table(rows(size.get("contenders")), "µs", 1000);
			this.goals.goal("15", "L2 hit (" + label + "): starter ≤ 1.0× the best peer (interleaved medians)",
					ratio(worst), worst <= 1.0);
		}
	}

	// P3

	private void miss(Map<String, Object> miss) {
		this.md.append("## P3. Miss and load\n\n");
		this.md.append("`PeerMissScenario`, interleaved, ").append(fmt(number(miss.get("turns"))))
			.append(" turns, each call on a key no tier holds, an instant loader, local tiers on. Writes that ")
			.append("return before Redis has them (Spring Boot's default for `RedisCache`, JetCache's remote put) ")
			.append("cost less here than writes that wait (the starter's, Redisson's); the starter's miss also ")
			.append("takes its stampede lock.\n\n");
		// Issue 15 sets no goal for a miss: the table is for the record.
		table(rows(miss.get("contenders")), "µs", 1000);
	}

	// P4

	private void stampede() {
		this.md.append("## P4. Stampede\n\n");
		this.md.append("See table 3: JetCache, Redisson's `RLocalCachedMap` with a `MapLoader` and Redisson's Spring ")
			.append("cache with `@Cacheable(sync = true)` ran in the same scenario (2 instances × the threads ")
			.append("given there, 50 ms loader). JetCache's penetration protection holds within one JVM only; both ")
			.append("Redisson paths take a per-key `RLock` in Redis.\n\n");
	}

	// P5

	private void reach(Map<String, Object> reach) {
		this.md.append("## P5. Invalidation reach\n\n");
		this.md.append("`InvalidationReachScenario`: instance A writes, until instance B's local tier no longer holds ")
			.append("the old value (looked at directly, every ").append(fmt(number(reach.get("pollMicros"))))
			.append(" µs). One at a time: ").append(fmt(number(reach.get("writes"))))
			.append(" writes, each after B holds the key. Burst: A writes ")
			.append(fmt(number(reach.get("burst"))))
			.append(" keys B holds, back to back; per key, from the start of its write. Spring's caches have no ")
			.append("local tier (a read after a write sees it). Floor: Redis pub/sub delivery, `PUBLISH` to ")
			.append("message.\n\n");
		this.md.append("| Contender | one at a time p50 / p99 / max ms | of which A's write call p50 / p99 ms ")
			.append("| burst p50 / p99 / max ms | burst writes/s | timeouts |\n|---|---:|---:|---:|---:|---:|\n");
		double starterOne = Double.NaN;
		double starterBurst = Double.NaN;
		double peerOne = Double.MAX_VALUE;
		double peerBurst = Double.MAX_VALUE;
		for (Map<String, Object> row : rows(reach.get("contenders"))) {
			Map<String, Object> one = map(row, "oneAtATime");
			Map<String, Object> burst = map(row, "underBurst");
			Map<String, Object> write = map(one, "writeCall");
			this.md.append("| ").append(row.get("name")).append(" | ").append(triple(one)).append(" | ")
				.append(fmt(number(write.get("p50Ms")))).append(" / ").append(fmt(number(write.get("p99Ms"))))
				.append(" | ").append(triple(burst)).append(" | ").append(fmt(number(burst.get("writesPerSecond")))).append(" | ")
				.append(fmt(number(one.get("timeouts")) + number(burst.get("timeouts")))).append(" |\n");
			double p99One = number(one.get("p99Ms"));
			double p99Burst = number(burst.get("p99Ms"));
			if ("starter".equals(row.get("role"))) {
				starterOne = p99One;
				starterBurst = p99Burst;
			}
			else {
				peerOne = Math.min(peerOne, p99One);
				peerBurst = Math.min(peerBurst, p99Burst);
			}
		}
		this.md.append("| floor: Redis pub/sub delivery | ").append(triple(map(reach, "floor")))
			.append(" | – | – | – | – |\n\n");
		this.goals.goal("15", "Reach: starter's p99 < the best peer's, one write at a time",
				fmt(starterOne) + " vs " + fmt(peerOne) + " ms", starterOne < peerOne);
		this.goals.goal("15", "Reach: starter's p99 < the best peer's, under a burst",
				fmt(starterBurst) + " vs " + fmt(peerBurst) + " ms", starterBurst < peerBurst);
	}

	private static String triple(Map<String, Object> summary) {
		return fmt(number(summary.get("p50Ms"))) + " / " + fmt(number(summary.get("p99Ms"))) + " / "
				+ fmt(number(summary.get("maxMs")));
	}

	// P6

	private void memory(Map<String, Object> memory) {
		if (memory.containsKey("skipped")) {
			throw new IllegalStateException("skipped: " + memory.get("skipped"));
		}
		this.md.append("## P6. Redis memory per entry\n\n");
		this.md.append("`MemoryScenario`: ").append(String.format(Locale.ROOT, "%,d", (long) number(memory.get("entries"))))
			.append(" entries of ").append(fmt(number(memory.get("valueBytes"))))
			.append(" B (JSON size) written through each contender's write path, on a `redis-server` of the run's ")
			.append("own, flushed between contenders. *used_memory* is the `INFO memory` delta per entry; ")
			.append("*MEMORY USAGE* sums `MEMORY USAGE … SAMPLES 0` over up to 200 keys, scaled to all keys, per ")
			.append("entry; *keys* is the `DBSIZE` delta per entry. Spring's reference writes immediately here (same ")
			.append("layout; with Spring Boot's default asynchronous writes, writes still queued in the client when the ")
			.append("writers are done would be missed), JetCache's queued writes are awaited.\n\n");
		this.md.append("| Contender | keys per entry | used_memory B/entry | MEMORY USAGE B/entry | used_memory vs. ")
			.append("Spring `RedisCache` | written in s |\n|---|---:|---:|---:|---:|---:|\n");
		List<Map<String, Object>> rows = rows(memory.get("contenders"));
		double reference = Double.NaN;
		for (Map<String, Object> row : rows) {
			if ("reference".equals(row.get("role"))) {
				reference = number(row.get("usedMemoryPerEntry"));
			}
		}
		double starter = Double.NaN;
		double starterKeys = Double.NaN;
		for (Map<String, Object> row : rows) {
			double used = number(row.get("usedMemoryPerEntry"));
			if ("starter".equals(row.get("role"))) {
				starter = used;
				starterKeys = number(row.get("keysPerEntry"));
			}
			this.md.append("| ").append(row.get("name")).append(" | ")
				.append(keys(number(row.get("keysPerEntry")))).append(" | ")
				.append(fmt(used)).append(" | ").append(fmt(number(row.get("memoryUsagePerEntry")))).append(" | ")
				.append(ratio(used / reference)).append(" | ").append(fmt(number(row.get("writeSeconds"))))
				.append(" |\n");
		}
		this.md.append('\n');
		this.goals.goal("15", "Redis memory per 200-byte entry ≤ 1.2× Spring's `RedisCache` (used_memory)",
				ratio(starter / reference) + ", " + String.format(Locale.ROOT, "%.2f", starterKeys) + " keys per entry",
				starter <= 1.2 * reference);
	}

	/** Keys per entry: three decimals, or enough to show that a layout has one key for all. */
	private static String keys(double perEntry) {
		return String.format(Locale.ROOT, (perEntry > 0 && perEntry < 0.01) ? "%.5f" : "%.3f", perEntry);
	}

	// P7

	private void allocation(List<Map<String, Object>> gc) {
		this.md.append("## P7. Allocation per L1 hit\n\n");
		this.md.append("`L1HitBenchmark -prof gc`, `gc.alloc.rate.norm`, bytes per hit:\n\n");
		this.md.append("| Contender | B/op | vs. best peer |\n|---|---:|---:|\n");
		double bestPeer = Math.min(allocated(gc, "JetCache"), allocated(gc, "Redisson"));
		String[][] rows = { { "ReadThrough", "starter: `@ReadThrough`" },
				{ "TieredCacheGet", "starter: `TieredCache.get(key, type)`" },
				{ "JetCache", Contender.JETCACHE.label() }, { "Redisson", Contender.REDISSON.label() },
				{ "Cacheable", "reference: Spring `@Cacheable`, `CaffeineCacheManager`" },
				{ "Caffeine", "floor: Caffeine `getIfPresent`" } };
		for (String[] row : rows) {
			double bytes = allocated(gc, row[0]);
			this.md.append("| ").append(row[1]).append(" | ").append(fmt(bytes)).append(" | ")
				.append(ratio(bytes / bestPeer)).append(" |\n");
		}
		this.md.append('\n');
		double starter = allocated(gc, "ReadThrough");
		this.goals.goal("15", "Allocation per L1 hit through `@ReadThrough` ≤ the best peer",
				fmt(starter) + " vs " + fmt(bestPeer) + " B/op", starter <= bestPeer);
	}

	// P8

	private void batch(Map<String, Object> batch) {
		this.md.append("## P8. Batch read and write-behind\n\n");
		this.md.append("`PeerBatchScenario`, interleaved, ").append(fmt(number(batch.get("turns"))))
			.append(" turns: a read of ").append(fmt(number(batch.get("batch"))))
			.append(" keys that Redis holds, local tiers off, each contender through its own batch read (the ")
			.append("starter's `@ReadThroughAll`: one `MGET`; JetCache's `getAll`: one `MGET`; Redisson's `RMap.getAll`: ")
			.append("one `HMGET` of its hash); Spring's cache abstraction has no batch read, so its row is 100 ")
			.append("`@Cacheable` calls. Floor: one `MGET` of 100 keys holding 200 bytes each, not decoded. Time per ")
			.append("batch of 100.\n\n");
		double worst = table(rows(batch.get("contenders")), "µs", 1000);
		this.goals.goal("15", "Batch read of 100 keys in L2: starter ≤ 1.0× the best peer (interleaved medians)",
				ratio(worst), worst <= 1.0);
		this.md.append("Write-behind: see section 9 (`@WriteBehind` against `@WriteThrough` and a direct JDBC ")
			.append("`UPDATE`). JetCache has no write-behind; Redisson's (a `MapWriter` in `WriteMode.WRITE_BEHIND`) ")
			.append("keeps its queue in the client's memory, so a crash loses the writes not yet flushed, which the ")
			.append("starter's promise (durable pending writes, taken over by another instance) excludes: it is not ")
			.append("benchmarked as a peer.\n\n");
	}

}
