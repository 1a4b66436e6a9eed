package dev.tieredcache.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.LongFunction;

/**
 * Benchmark 3, a stampede: {@code threads} callers on each of two instances (two
 * application contexts in this JVM, one Redis) ask at the same moment for a key absent from
 * every tier, whose loader takes {@value #LOADER_MILLIS} ms. Counted: loader runs per round,
 * over both instances; measured: each caller's latency from the start signal. One round on
 * a key of its own, uncounted, warms the waiting paths of every contender alike.
 *
 * <p>Contenders: the starter's {@code @ReadThrough}; Spring's
 * {@code @Cacheable(sync = true)} on a {@code RedisCacheManager} with Spring Boot's default,
 * non-locking cache writer (in Spring Data Redis 4 a synchronized read is delegated to the
 * writer, which then does not lock), and with the locking writer (one Redis lock per cache,
 * polled); and {@code @Cacheable} without {@code sync} (no protection); and the peers of
 * issue 15: JetCache's {@code computeIfAbsent} with penetration protection (one load per
 * key per JVM), Redisson's {@code RLocalCachedMap} reading through a {@code MapLoader} (a
 * per-key {@code RLock}) and Redisson's Spring cache with {@code @Cacheable(sync = true)}
 * (a per-key {@code RLock} too). Goal (issue 6, item 3): exactly one load per round, p99
 * within the loader time + 20 ms.
 */
final class StampedeScenario {

	static final long LOADER_MILLIS = 50;

	private final int port;

	private final int threads;

	private final int rounds;

	StampedeScenario(int port, int threads, int rounds) {
		this.port = port;
		this.threads = threads;
		this.rounds = rounds;
	}

	Map<String, Object> run() throws Exception {
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("loaderMs", LOADER_MILLIS);
		result.put("instances", 2);
		result.put("threadsPerInstance", this.threads);
		result.put("rounds", this.rounds);
		List<Object> contenders = new ArrayList<>();
		Contender.Options options = Contender.Options.DEFAULT;
		contenders.add(measure("starter @ReadThrough",
				(prefix, source) -> Contender.STARTER.start(this.port, prefix, source, options)));
		contenders.add(measure("Spring @Cacheable(sync = true), RedisCacheManager",
				(prefix, source) -> new SpringInstance(Instances.springRedis(this.port, prefix, source, false), true)));
		contenders.add(measure("Spring @Cacheable(sync = true), RedisCacheManager with locking writer",
				(prefix, source) -> new SpringInstance(Instances.springRedis(this.port, prefix, source, true), true)));
		contenders.add(measure("Spring @Cacheable, RedisCacheManager (no protection)",
				(prefix, source) -> new SpringInstance(Instances.springRedis(this.port, prefix, source, false), false)));
		contenders.add(measure(Contender.JETCACHE.label() + " computeIfAbsent, cachePenetrateProtect",
				(prefix, source) -> Contender.JETCACHE.start(this.port, prefix, source, options)));
		contenders.add(measure(Contender.REDISSON.label() + " get with a MapLoader",
				(prefix, source) -> Contender.REDISSON.start(this.port, prefix, source, options)));
		contenders.add(measure(Contender.REDISSON_SPRING.label() + " @Cacheable(sync = true)",
				(prefix, source) -> Contender.REDISSON_SPRING.start(this.port, prefix, source,
						options.withProtectedLoads(true))));
		result.put("contenders", contenders);
		return result;
	}

	private Map<String, Object> measure(String name, BiFunction<String, ProductSource, CacheInstance> factory)
			throws Exception {
		String prefix = RedisAccess.uniquePrefix("stampede");
		ProductSource source = new ProductSource(LOADER_MILLIS);
		List<AutoCloseable> instances = new ArrayList<>();
		List<LongFunction<Product>> callers = new ArrayList<>();
		try {
			for (int i = 0; i < 2; i++) {
				CacheInstance instance = factory.apply(prefix, source);
				instances.add(instance);
				callers.add(instance::get);
			}
			// Warm the call paths on keys of their own, so the rounds measure the stampede.
			for (long id = 0; id < 200; id++) {
				callers.get((int) (id & 1)).apply(-1 - id % 20);
			}
			List<Long> loadsPerRound = new ArrayList<>();
			List<Long> latencies = new ArrayList<>();
			ExecutorService pool = Executors.newFixedThreadPool(2 * this.threads);
			try {
				// One uncounted round first: the waiting paths run for the first time in it.
				round(pool, callers, 999_999);
				for (int round = 0; round < this.rounds; round++) {
					long id = 1_000_000 + round;
					long before = source.loads();
					latencies.addAll(round(pool, callers, id));
					loadsPerRound.add(source.loads() - before);
				}
			}
			finally {
				pool.shutdownNow();
			}
			Map<String, Object> result = new LinkedHashMap<>();
			result.put("name", name);
			result.put("loadsPerRound", loadsPerRound);
			result.put("latency", Latencies.summary(latencies.stream().mapToLong(Long::longValue).toArray()));
			return result;
		}
		finally {
			PeerHitScenario.closeAll(instances, this.port, prefix);
		}
	}

	private List<Long> round(ExecutorService pool, List<LongFunction<Product>> callers, long id) throws Exception {
		CountDownLatch ready = new CountDownLatch(2 * this.threads);
		CountDownLatch go = new CountDownLatch(1);
		List<Future<Long>> calls = new ArrayList<>();
		for (int i = 0; i < 2 * this.threads; i++) {
			LongFunction<Product> caller = callers.get(i % 2);
			calls.add(pool.submit(() -> {
				ready.countDown();
				go.await();
				long start = System.nanoTime();
				Product product = caller.apply(id);
				long elapsed = System.nanoTime() - start;
				if (product == null || product.id() != id) {
					throw new IllegalStateException("Wrong product for " + id + ": " + product);
				}
				return elapsed;
			}));
		}
		ready.await(10, TimeUnit.SECONDS);
		go.countDown();
		List<Long> latencies = new ArrayList<>();
		for (Future<Long> call : calls) {
			latencies.add(call.get(30, TimeUnit.SECONDS));
		}
		return latencies;
	}

}
