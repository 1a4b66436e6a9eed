package dev.tieredcache.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;
import org.springframework.context.ConfigurableApplicationContext;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.testsupport.TieredCacheTestSupport;

/**
 * Issue 13, batch read-through: 100 keys read at once, with 0 %, 30 % and 100 % of them
 * absent from both tiers, on one instance and on two instances asking at once. Contenders:
 * the starter's {@code @ReadThroughAll}, 100 calls of the starter's {@code @ReadThrough}, and
 * 100 calls of Spring's {@code @Cacheable} on a {@code RedisCacheManager} (immediate writes,
 * so that its puts and evictions have landed when a call returns).
 *
 * <p>Before every read the chosen missing keys are evicted through each contender's own
 * cache (the starter's second instance takes in their messages before the read) and the
 * starter's L1 is cleared on both instances, so the keys present are read from Redis: L2
 * against L2. The starter's repair interval is 10 minutes here, so that its periodic
 * heartbeat stays out of the counts; nothing else differs from its defaults. Three
 * measurements per case:
 * <ul>
 * <li>round trips: a few reads per contender with {@link MonitorTap} on, commands clients
 * sent (as in {@link RoundTripScenario}), per 100-key read and instance;</li>
 * <li>latency: many reads, the contenders taking turns read by read in a rotating order
 * (as {@link Interleaved} does), p50 and p99 of the whole 100-key read, per caller;</li>
 * <li>loader calls: the batch loader's calls and the keys it was given (which must be
 * exactly the missing keys, each once across both instances), and the single loaders'
 * calls, over every counted and timed read.</li>
 * </ul>
 */
final class BatchReadScenario {

	static final int KEYS = 100;

	private static final int[] MISSING_PERCENTS = { 0, 30, 100 };

	/** Commands the measurement itself sends. */
	private static final Set<String> OWN = Set.of("info", "echo", "monitor");

	private static final long SETTLE_MILLIS = 50;

	/** Keeps the starter's periodic repair work (a heartbeat PUBLISH) out of the counts. */
	private static final String QUIET = "tiered-cache.redis.repair-interval=10m";

	private final int port;

	private final int repetitions;

	private final int countedRepetitions;

	private final int warmUps;

	private final Random random = new Random(13);

	private final ExecutorService callers = Executors.newFixedThreadPool(2, (task) -> {
		Thread thread = new Thread(task, "batch-caller");
		thread.setDaemon(true);
		return thread;
	});

	/**
	 * Creates the scenario.
	 * @param port the Redis port (a server of the run's own, for the round trips)
	 * @param repetitions timed reads per contender and case
	 * @param countedRepetitions reads per contender and case with round trips counted
	 * @param warmUps untimed reads per contender and case first
	 */
	BatchReadScenario(int port, int repetitions, int countedRepetitions, int warmUps) {
		this.port = port;
		this.repetitions = repetitions;
		this.countedRepetitions = countedRepetitions;
		this.warmUps = warmUps;
	}

	Map<String, Object> run() throws Exception {
		String prefix = RedisAccess.uniquePrefix("batch");
		ProductSource starterSource = new ProductSource();
		ProductSource springSource = new ProductSource();
		List<Long> ids = LongStream.range(0, KEYS).boxed().toList();
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("keys", KEYS);
		result.put("repetitions", this.repetitions);
		result.put("countedRepetitions", this.countedRepetitions);
		List<ConfigurableApplicationContext> contexts = new ArrayList<>();
		try (RedisAccess redis = new RedisAccess(this.port)) {
			try {
				// Background heartbeats (every repair interval) would land in the round-trip counts.
				ConfigurableApplicationContext a = start(contexts,
						Instances.starter(this.port, prefix, starterSource, QUIET));
				ConfigurableApplicationContext b = start(contexts,
						Instances.starter(this.port, prefix, starterSource, QUIET));
				ConfigurableApplicationContext sa = start(contexts,
						Instances.springRedis(this.port, prefix + "spring:", springSource, false, true));
				ConfigurableApplicationContext sb = start(contexts,
						Instances.springRedis(this.port, prefix + "spring:", springSource, false, true));
				List<Side> sides = List.of(new BatchSide(a, b, starterSource), new SingleSide(a, b, starterSource),
						new SpringSide(sa, sb, springSource));
				for (Side side : sides) {
					side.read(0, ids);
					side.read(1, ids);
				}
				List<Object> cases = new ArrayList<>();
				for (int instances = 1; instances <= 2; instances++) {
					for (int percent : MISSING_PERCENTS) {
						cases.add(measureCase(redis, sides, ids, instances, percent));
					}
				}
				result.put("cases", cases);
			}
			finally {
				contexts.forEach(ConfigurableApplicationContext::close);
				this.callers.shutdownNow();
				redis.deletePrefix(prefix);
			}
		}
		return result;
	}

	private static ConfigurableApplicationContext start(List<ConfigurableApplicationContext> contexts,
			ConfigurableApplicationContext context) {
		contexts.add(context);
		return context;
	}

	private Map<String, Object> measureCase(RedisAccess redis, List<Side> sides, List<Long> ids, int instances,
			int percent) throws Exception {
		int missingCount = KEYS * percent / 100;
		Map<Side, Tally> tallies = new LinkedHashMap<>();
		sides.forEach((side) -> tallies.put(side, new Tally(this.repetitions * instances)));
		for (int i = 0; i < this.warmUps; i++) {
			for (Side side : sides) {
				List<Long> missing = missing(ids, missingCount);
				side.prepare(missing);
				once(side, ids, instances, null);
			}
		}
		try (MonitorTap tap = new MonitorTap(this.port)) {
			for (Side side : sides) {
				Tally tally = tallies.get(side);
				for (int i = 0; i < this.countedRepetitions; i++) {
					List<Long> missing = missing(ids, missingCount);
					side.prepare(missing);
					sync(redis, tap);
					tap.drain();
					tally.record(once(side, ids, instances, null), missing);
					// Writes a call may still be making after it returned land in its count.
					Thread.sleep(SETTLE_MILLIS);
					sync(redis, tap);
					tap.drain().forEach((key, n) -> {
						String command = key.substring(key.indexOf(':') + 1);
						if (key.startsWith("client:") && !OWN.contains(command)) {
							tally.sent.merge(command, n, Long::sum);
							tally.roundTrips += n;
						}
					});
				}
			}
		}
		for (int rep = 0; rep < this.repetitions; rep++) {
			List<Long> missing = missing(ids, missingCount);
			for (int step = 0; step < sides.size(); step++) {
				// Rotate the order, so that no contender always follows the same one.
				Side side = sides.get((step + rep) % sides.size());
				side.prepare(missing);
				Tally tally = tallies.get(side);
				tally.record(once(side, ids, instances, tally), missing);
			}
		}
		Map<String, Object> row = new LinkedHashMap<>();
		row.put("instances", instances);
		row.put("missingPercent", percent);
		List<Object> contenders = new ArrayList<>();
		tallies.forEach((side, tally) -> contenders.add(tally.summary(side, instances, this.countedRepetitions)));
		row.put("contenders", contenders);
		System.out.println("  batch reads: " + row);
		return row;
	}

	private List<Long> missing(List<Long> ids, int count) {
		List<Long> shuffled = new ArrayList<>(ids);
		Collections.shuffle(shuffled, this.random);
		return new ArrayList<>(shuffled.subList(0, count));
	}

	/**
	 * Reads the keys on one instance, or on two at once, after the side was prepared.
	 * @param timing where to record each caller's time from the start signal, or null
	 * @return the outcome: loader calls, keys the batch loader got, values found
	 */
	private Outcome once(Side side, List<Long> ids, int instances, Tally timing) throws Exception {
		side.source.drainBatchKeys();
		long callsBefore = side.loaderCalls();
		int incomplete = 0;
		if (instances == 1) {
			long t0 = System.nanoTime();
			int found = side.read(0, ids);
			long took = System.nanoTime() - t0;
			if (timing != null) {
				timing.time(took);
			}
			incomplete += (found < ids.size()) ? 1 : 0;
		}
		else {
			CountDownLatch ready = new CountDownLatch(2);
			CountDownLatch go = new CountDownLatch(1);
			List<Future<long[]>> results = new ArrayList<>();
			for (int instance = 0; instance < 2; instance++) {
				int which = instance;
				results.add(this.callers.submit(() -> {
					ready.countDown();
					go.await();
					int found = side.read(which, ids);
					return new long[] { System.nanoTime(), found };
				}));
			}
			ready.await();
			long t0 = System.nanoTime();
			go.countDown();
			for (Future<long[]> caller : results) {
				long[] done = caller.get(1, TimeUnit.MINUTES);
				if (timing != null) {
					timing.time(done[0] - t0);
				}
				incomplete += (done[1] < ids.size()) ? 1 : 0;
			}
		}
		return new Outcome(side.loaderCalls() - callsBefore, side.source.drainBatchKeys(), incomplete);
	}

	private static void sync(RedisAccess redis, MonitorTap tap) throws InterruptedException {
		String marker = "bench-marker-" + System.nanoTime();
		redis.commands().echo(RedisAccess.bytes(marker));
		tap.awaitLine(marker);
	}

	record Outcome(long loaderCalls, List<List<Long>> batches, int incompleteReads) {
	}

	/** What one contender did over a case. */
	private static final class Tally {

		private final long[] nanos;

		private int timed;

		private int requests;

		private long loaderCalls;

		private long maxLoaderCalls;

		private long keysLoaded;

		private int inexact;

		private long extraLoads;

		private int incomplete;

		private long roundTrips;

		private final Map<String, Long> sent = new TreeMap<>();

		Tally(int samples) {
			this.nanos = new long[samples];
		}

		void time(long took) {
			this.nanos[this.timed++] = took;
		}

		void record(Outcome outcome, List<Long> missing) {
			this.requests++;
			this.loaderCalls += outcome.loaderCalls();
			this.maxLoaderCalls = Math.max(this.maxLoaderCalls, outcome.loaderCalls());
			this.incomplete += outcome.incompleteReads();
			boolean exact;
			if (outcome.batches().isEmpty() && outcome.loaderCalls() > 0) {
				// Single loads: each missing key loaded once, none other.
				this.keysLoaded += outcome.loaderCalls();
				this.extraLoads += Math.max(0, outcome.loaderCalls() - missing.size());
				exact = outcome.loaderCalls() == missing.size();
			}
			else {
				List<Long> all = new ArrayList<>();
				outcome.batches().forEach(all::addAll);
				this.keysLoaded += all.size();
				this.extraLoads += Math.max(0, all.size() - missing.size());
				exact = all.size() == missing.size() && new HashSet<>(all).equals(new HashSet<>(missing));
			}
			if (!exact) {
				this.inexact++;
			}
		}

		Map<String, Object> summary(Side side, int instances, int counted) {
			long[] sorted = java.util.Arrays.copyOf(this.nanos, this.timed);
			java.util.Arrays.sort(sorted);
			Map<String, Object> row = new LinkedHashMap<>();
			row.put("name", side.name);
			row.put("role", side.role);
			row.put("p50Ms", Latencies.millis(Latencies.percentile(sorted, 50)));
			row.put("p99Ms", Latencies.millis(Latencies.percentile(sorted, 99)));
			row.put("samples", this.timed);
			double reads = (double) counted * instances;
			row.put("roundTripsPerRead", (counted > 0) ? Math.round(100.0 * this.roundTrips / reads) / 100.0 : null);
			Map<String, Double> perRead = new TreeMap<>();
			this.sent.forEach((command, n) -> perRead.put(command, Math.round(100.0 * n / reads) / 100.0));
			row.put("sentPerRead", perRead);
			row.put("requests", this.requests);
			row.put("loaderCallsPerRequest", Math.round(100.0 * this.loaderCalls / this.requests) / 100.0);
			row.put("maxLoaderCallsPerRequest", this.maxLoaderCalls);
			row.put("keysLoadedPerRequest", Math.round(100.0 * this.keysLoaded / this.requests) / 100.0);
			row.put("extraKeyLoadsPerRequest", Math.round(100.0 * this.extraLoads / this.requests) / 100.0);
			row.put("exactlyTheMissingKeys", (this.inexact == 0) ? "yes" : "no");
			row.put("inexactRequests", this.inexact);
			row.put("incompleteReads", this.incomplete);
			return row;
		}

	}

	/** One contender, on two instances of its own. */
	private abstract static class Side {

		final String name;

		final String role;

		final ProductSource source;

		Side(String name, String role, ProductSource source) {
			this.name = name;
			this.role = role;
			this.source = source;
		}

		/** Reads every key on an instance; returns how many values it got. */
		abstract int read(int instance, List<Long> ids);

		/** Removes the keys from every tier and empties the local tiers. */
		abstract void prepare(List<Long> missing);

		/** Loader calls so far. */
		abstract long loaderCalls();

	}

	/** The starter's sides: evictions through the cache, L1 cleared on both instances. */
	private abstract static class StarterSide extends Side {

		final StarterProducts[] products;

		final TieredCache[] caches;

		private final ConfigurableApplicationContext[] contexts;

		StarterSide(String name, ProductSource source, String cache, ConfigurableApplicationContext... contexts) {
			super(name, "starter", source);
			this.contexts = contexts;
			this.products = new StarterProducts[contexts.length];
			this.caches = new TieredCache[contexts.length];
			for (int i = 0; i < contexts.length; i++) {
				this.products[i] = contexts[i].getBean(StarterProducts.class);
				this.caches[i] = contexts[i].getBean(TieredCacheManager.class).getCache(cache);
			}
		}

		@Override
		void prepare(List<Long> missing) {
			missing.forEach(this.caches[0]::evict);
			if (!missing.isEmpty()) {
				// The other instance takes in the evictions' messages before anyone reads:
				// arriving during a load, they would keep its value out of the cache.
				TieredCacheTestSupport.awaitPropagation(this.contexts[0], this.contexts[1], Duration.ofSeconds(10));
			}
			for (TieredCache cache : this.caches) {
				cache.clearLocal();
			}
		}

	}

	private static final class BatchSide extends StarterSide {

		BatchSide(ConfigurableApplicationContext a, ConfigurableApplicationContext b, ProductSource source) {
			super("ReadThroughAll", source, "products-all", a, b);
		}

		@Override
		int read(int instance, List<Long> ids) {
			return this.products[instance].findAll(ids).size();
		}

		@Override
		long loaderCalls() {
			return this.source.batchLoads();
		}

	}

	private static final class SingleSide extends StarterSide {

		SingleSide(ConfigurableApplicationContext a, ConfigurableApplicationContext b, ProductSource source) {
			super("ReadThrough", source, "products", a, b);
		}

		@Override
		int read(int instance, List<Long> ids) {
			int found = 0;
			for (Long id : ids) {
				found += (this.products[instance].find(id) != null) ? 1 : 0;
			}
			return found;
		}

		@Override
		long loaderCalls() {
			return this.source.loads();
		}

	}

	private static final class SpringSide extends Side {

		private final SpringProducts[] products;

		private final Cache cache;

		SpringSide(ConfigurableApplicationContext a, ConfigurableApplicationContext b, ProductSource source) {
			super("Cacheable", "reference", source);
			this.products = new SpringProducts[] { a.getBean(SpringProducts.class), b.getBean(SpringProducts.class) };
			this.cache = a.getBean(CacheManager.class).getCache("products");
		}

		@Override
		int read(int instance, List<Long> ids) {
			int found = 0;
			for (Long id : ids) {
				found += (this.products[instance].find(id) != null) ? 1 : 0;
			}
			return found;
		}

		@Override
		void prepare(List<Long> missing) {
			missing.forEach(this.cache::evict);
		}

		@Override
		long loaderCalls() {
			return this.source.loads();
		}

	}

}
