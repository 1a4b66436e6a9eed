package dev.tieredcache.warmup;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.tieredcache.annotation.ReadThroughAll;
import dev.tieredcache.autoconfigure.TieredCacheAutoConfiguration;
import dev.tieredcache.cache.CacheStatistics.Tier;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.RedisServerProcess;
import dev.tieredcache.test.TestRedis;
import dev.tieredcache.test.TestThreads;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Warm start, on full Spring Boot applications (so that Boot's runners and readiness
 * events run as in production) on the shared Redis, each test with its own key prefix: an
 * instance started after another served a skewed load hits L1 about as often from its
 * first reads; entries a read would not serve are not copied; instances starting together
 * with a {@link TieredCacheWarmer} load each critical key once; Redis being unreachable
 * does not stop start-up.
 */
@ExtendWith(OutputCaptureExtension.class)
class WarmStartTests {

	private static final String LOGGING_SYSTEM = "org.springframework.boot.logging.LoggingSystem";

	/**
	 * These tests start whole applications, several at once: Boot's logging system, left
	 * on, would configure Logback from each of them at the same time in this shared JVM
	 * (failing with "Unable to find Spring Environment") and leave appenders behind that
	 * make later tests' captured output repeat every line.
	 */
	@org.junit.jupiter.api.BeforeAll
	static void leaveLoggingAlone() {
		System.setProperty(LOGGING_SYSTEM, "none");
	}

	@org.junit.jupiter.api.AfterAll
	static void restoreLogging() {
		System.clearProperty(LOGGING_SYSTEM);
	}


	private static final String CACHE = "products";

	private static final int KEY_SPACE = 2000;

	/** Each key's reads on the loader of its application instance. */
	static final Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();

	@Test
	void anInstanceStartedAfterAnotherServedASkewedLoadHitsL1AlmostAsOftenFromItsFirstReads() {
		String prefix = TestRedis.uniquePrefix("warm-start-zipf");
		Zipf zipf = new Zipf(KEY_SPACE, 1.1, 42);
		try (ConfigurableApplicationContext a = start(prefix, TestRedis.SHARED_PORT, true)) {
			TieredCache cacheA = cache(a);
			read(cacheA, zipf, 20_000);
			long hits = cacheA.getStatistics().hits(Tier.L1);
			long misses = cacheA.getStatistics().misses(Tier.L1);
			read(cacheA, zipf, 20_000);
			double steadyA = ratio(cacheA.getStatistics().hits(Tier.L1) - hits,
					cacheA.getStatistics().misses(Tier.L1) - misses);
			try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
				byte[] record = (prefix + "hk:{" + CACHE + "}").getBytes();
				Awaitility.await("A's hot keys recorded")
					.atMost(Duration.ofSeconds(10))
					.until(() -> redis.commands().zcard(record) >= 500);
			}

			try (ConfigurableApplicationContext b = start(prefix, TestRedis.SHARED_PORT, true);
					ConfigurableApplicationContext cold = start(prefix, TestRedis.SHARED_PORT, false)) {
				TieredCache cacheB = cache(b);
				assertThat(b.getBean(Readiness.class).localSizeWhenReady.get()).as("L1 entries when B was ready")
					.isGreaterThanOrEqualTo(450);
				assertThat(b.getBean(WarmStartStatistics.class).of(CACHE).entries()).as("at most warm-start.keys")
					.isBetween(450L, 500L);
				assertThat(loads(b)).as("warm start loads nothing from the database").isZero();
				Zipf sameLoad = new Zipf(KEY_SPACE, 1.1, 7);
				read(cacheB, sameLoad, 2_000);
				double firstB = cacheB.getStatistics().hitRatio(Tier.L1);
				read(cache(cold), new Zipf(KEY_SPACE, 1.1, 7), 2_000);
				double firstCold = cache(cold).getStatistics().hitRatio(Tier.L1);
				assertThat(firstB).as("B's L1 hit ratio over its first 2000 reads, A's steady state being %.3f "
						+ "and a cold instance's first 2000 reads %.3f", steadyA, firstCold)
					.isGreaterThanOrEqualTo(0.8 * steadyA);
				System.out.printf("L1 hit ratio: A steady %.3f, B first 2000 reads %.3f, cold first 2000 reads %.3f%n",
						steadyA, firstB, firstCold);
				// The comparison can fail: without warm start the same reads fall short.
				assertThat(firstCold).isLessThan(0.8 * steadyA);
			}
		}
	}

	@Test
	void anInstanceThatStopsRecordsItsHotKeysOnTheWayOut() {
		// No periodic report comes in time: only the one at shutdown can leave the record.
		String prefix = TestRedis.uniquePrefix("warm-start-shutdown");
		try (ConfigurableApplicationContext a = start(prefix, TestRedis.SHARED_PORT, true,
				"tiered-cache.warm-start.record-interval=1h")) {
			read(cache(a), new Zipf(KEY_SPACE, 1.1, 5), 5_000);
		}
		try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
			assertThat(redis.commands().zcard((prefix + "hk:{" + CACHE + "}").getBytes())).isGreaterThan(100);
		}
	}

	@Test
	void entriesThatAReadWouldNotServeAreNotCopied() {
		String prefix = TestRedis.uniquePrefix("warm-start-cleared");
		try (ConfigurableApplicationContext a = start(prefix, TestRedis.SHARED_PORT, true)) {
			read(cache(a), new Zipf(KEY_SPACE, 1.1, 1), 5_000);
			a.getBean(HotKeyRecorder.class).recordAll();
			// Cleared: every entry still in Redis is of an earlier epoch, a miss for any read.
			cache(a).clear();
			try (ConfigurableApplicationContext b = start(prefix, TestRedis.SHARED_PORT, true)) {
				assertThat(b.getBean(WarmStartStatistics.class).of(CACHE).entries()).isZero();
				assertThat(cache(b).getLocalSize()).isZero();
			}
		}
	}

	@Test
	void theCopyStopsAtTheTimeout() {
		String prefix = TestRedis.uniquePrefix("warm-start-timeout");
		try (ConfigurableApplicationContext a = start(prefix, TestRedis.SHARED_PORT, true)) {
			read(cache(a), new Zipf(KEY_SPACE, 1.1, 3), 20_000);
			a.getBean(HotKeyRecorder.class).recordAll();
			try (ConfigurableApplicationContext b = start(prefix, TestRedis.SHARED_PORT, true,
					"tiered-cache.caches." + CACHE + ".warm-start.timeout=1ns")) {
				// The deadline passes during the read of the record: not one batch is copied.
				assertThat(b.getBean(WarmStartStatistics.class).of(CACHE).entries()).isZero();
			}
			try (ConfigurableApplicationContext c = start(prefix, TestRedis.SHARED_PORT, true)) {
				assertThat(c.getBean(WarmStartStatistics.class).of(CACHE).entries()).isGreaterThan(400);
			}
		}
	}

	@Test
	void threeInstancesStartingTogetherWithAWarmerLoadEachCriticalKeyOnce() {
		Map<String, Integer> counts = startThreeWithAWarmer(TestRedis.uniquePrefix("warm-start-critical"));
		assertThat(counts).hasSize(CriticalProducts.IDS.size()).allSatisfy((key, count) -> assertThat(count)
			.as("loads of %s", key)
			.isEqualTo(1));
	}

	@Test
	void withoutTheCrossInstanceLockTheThreeWouldLoadKeysMoreThanOnce() {
		// Shows that the three warmers do overlap: the lock is what makes each load single.
		Map<String, Integer> counts = startThreeWithAWarmer(TestRedis.uniquePrefix("warm-start-unlocked"),
				"tiered-cache.caches.critical.stampede.enabled=false");
		assertThat(counts.values().stream().mapToInt(Integer::intValue).sum())
			.isGreaterThan(CriticalProducts.IDS.size());
	}

	private Map<String, Integer> startThreeWithAWarmer(String prefix, String... properties) {
		loads.clear();
		CriticalProducts.barrier = new CyclicBarrier(3);
		List<CompletableFuture<ConfigurableApplicationContext>> starts = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			starts.add(CompletableFuture.supplyAsync(
					() -> start(WithAWarmer.class, prefix, TestRedis.SHARED_PORT, false, properties),
					TestThreads.EACH_ON_ITS_OWN));
		}
		List<ConfigurableApplicationContext> apps = starts.stream().map(CompletableFuture::join).toList();
		try {
			for (ConfigurableApplicationContext app : apps) {
				assertThat(app.getBean(WarmStartStatistics.class).warmers(true)).isEqualTo(1);
				TieredCache critical = app.getBean(TieredCacheManager.class).getCache("critical");
				for (Long id : CriticalProducts.IDS) {
					assertThat(critical.peekLocal(id.toString())).as("critical key %s in L1", id).isNotNull();
				}
			}
			Map<String, Integer> counts = new LinkedHashMap<>();
			loads.forEach((key, count) -> counts.put(key, count.get()));
			return counts;
		}
		finally {
			apps.forEach(ConfigurableApplicationContext::close);
		}
	}

	@Test
	void startUpGoesOnWhenRedisIsUnreachable(CapturedOutput output) throws IOException {
		int nobody = RedisServerProcess.freePort();
		loads.clear();
		CriticalProducts.barrier = new CyclicBarrier(1);
		try (ConfigurableApplicationContext app = start(WithAWarmer.class, TestRedis.uniquePrefix("warm-start-no-redis"), nobody,
				true)) {
			assertThat(app.getBean(Readiness.class).ready.get()).isTrue();
			assertThat(output).contains("Warm start of cache '" + CACHE + "' stopped: Redis is unreachable");
			// The warmer still ran, loading from the source of truth into L1.
			assertThat(app.getBean(WarmStartStatistics.class).warmers(true)).isEqualTo(1);
			assertThat(loads).hasSize(CriticalProducts.IDS.size());
		}
	}

	private static ConfigurableApplicationContext start(String prefix, int port, boolean warmStart,
			String... properties) {
		return start(Application.class, prefix, port, warmStart, properties);
	}

	private static ConfigurableApplicationContext start(Class<?> extra, String prefix, int port, boolean warmStart,
			String... properties) {
		java.util.Set<Class<?>> sources = new java.util.LinkedHashSet<>(List.of(Application.class, extra));
		List<String> args = new ArrayList<>(List.of("--spring.data.redis.host=127.0.0.1",
				"--spring.data.redis.port=" + port, "--spring.data.redis.timeout=1s",
				"--tiered-cache.key-prefix=" + prefix, "--tiered-cache.serialization.allowed-packages=java",
				"--tiered-cache.caches." + CACHE + ".warm-start.enabled=" + warmStart,
				"--tiered-cache.caches." + CACHE + ".warm-start.keys=500",
				"--tiered-cache.caches." + CACHE + ".hot-keys.sample-rate=1",
				"--tiered-cache.caches.critical.ttl=1m"));
		for (String property : properties) {
			args.add("--" + property);
		}
		if (java.util.Arrays.stream(properties).noneMatch((p) -> p.startsWith("tiered-cache.warm-start.record-interval"))) {
			args.add("--tiered-cache.warm-start.record-interval=200ms");
		}
		return new SpringApplicationBuilder(sources.toArray(Class<?>[]::new)).web(WebApplicationType.NONE)
			.run(args.toArray(String[]::new));
	}

	private static TieredCache cache(ConfigurableApplicationContext app) {
		return app.getBean(TieredCacheManager.class).getCache(CACHE);
	}

	private static long loads(ConfigurableApplicationContext app) {
		return cache(app).getStatistics().loads(true) + cache(app).getStatistics().loads(false);
	}

	private static void read(TieredCache cache, Zipf zipf, int reads) {
		for (int i = 0; i < reads; i++) {
			String key = "p" + zipf.next();
			cache.get(key, () -> "value of " + key);
		}
	}

	private static double ratio(long hits, long misses) {
		return (double) hits / (hits + misses);
	}

	/** Ranks 1..n drawn with probability proportional to 1 / rank^s. */
	static final class Zipf {

		private final double[] cumulative;

		private final Random random;

		Zipf(int n, double s, long seed) {
			this.cumulative = new double[n];
			double sum = 0;
			for (int i = 0; i < n; i++) {
				sum += 1 / Math.pow(i + 1, s);
				this.cumulative[i] = sum;
			}
			for (int i = 0; i < n; i++) {
				this.cumulative[i] /= sum;
			}
			this.random = new Random(seed);
		}

		int next() {
			int i = java.util.Arrays.binarySearch(this.cumulative, this.random.nextDouble());
			return ((i >= 0) ? i : -i - 1) + 1;
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DataRedisAutoConfiguration.class, AopAutoConfiguration.class,
			TieredCacheAutoConfiguration.class })
	static class Application {

		@Bean
		Readiness readiness() {
			return new Readiness();
		}

	}

	/** What L1 held when Boot declared the instance ready to take traffic. */
	static class Readiness implements ApplicationListener<AvailabilityChangeEvent<?>> {

		final AtomicLong localSizeWhenReady = new AtomicLong(-1);

		final java.util.concurrent.atomic.AtomicBoolean ready = new java.util.concurrent.atomic.AtomicBoolean();

		@Override
		public void onApplicationEvent(AvailabilityChangeEvent<?> event) {
			if (event.getState() == ReadinessState.ACCEPTING_TRAFFIC) {
				ConfigurableApplicationContext context = (ConfigurableApplicationContext) event.getSource();
				this.localSizeWhenReady.set(context.getBean(TieredCacheManager.class).getCache(CACHE).getLocalSize());
				this.ready.set(true);
			}
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	static class WithAWarmer {

		@Bean
		CriticalProducts criticalProducts() {
			return new CriticalProducts();
		}

		@Bean
		TieredCacheWarmer criticalProductsWarmer(CriticalProducts products) {
			return () -> {
				// Every instance is in its warmer before any reads: the three starts overlap.
				CriticalProducts.barrier.await(20, TimeUnit.SECONDS);
				products.findAll(CriticalProducts.IDS);
			};
		}

	}

	public static class CriticalProducts {

		static final List<Long> IDS = java.util.stream.LongStream.rangeClosed(1, 50).boxed().toList();

		static volatile CyclicBarrier barrier = new CyclicBarrier(1);

		@ReadThroughAll(cache = "critical")
		public Map<Long, String> findAll(List<Long> ids) throws Exception {
			// A database round trip.
			Thread.sleep(100);
			Map<Long, String> found = new LinkedHashMap<>();
			for (Long id : ids) {
				loads.computeIfAbsent(id.toString(), (k) -> new AtomicInteger()).incrementAndGet();
				found.put(id, "product " + id);
			}
			return found;
		}

	}

}
