package dev.tieredcache.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.metrics.CacheMetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.Cache;
import org.springframework.context.ApplicationContext;

import dev.tieredcache.TieredCacheOperations;
import dev.tieredcache.autoconfigure.TieredCacheMetricsAutoConfiguration;
import dev.tieredcache.cache.CacheStatistics.Tier;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.RedisServerProcess;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Meter values after a scripted sequence of calls equal the counts the sequence implies.
 * Two application contexts on the shared Redis stand for two instances; the Redis-down case
 * runs on a {@code redis-server} of its own.
 */
class TieredCacheMetricsScenarioTests {

	private static final Duration AWAIT = Duration.ofSeconds(10);

	private final String prefix = TestRedis.uniquePrefix("metrics-scenario");

	private final ExecutorService threads = Executors.newFixedThreadPool(10);

	@AfterEach
	void stopThreads() {
		this.threads.shutdownNow();
	}

	private ApplicationContextRunner runner(int port, String prefix) {
		return Instances.runner(port, prefix)
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
					CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
					CacheMetricsAutoConfiguration.class, TieredCacheMetricsAutoConfiguration.class))
			.withPropertyValues("tiered-cache.caches.products.ttl=10m");
	}

	@Test
	void metersCountHitsMissesLoadsStampedesAndRemoteInvalidations() {
		ApplicationContextRunner runner = runner(TestRedis.SHARED_PORT, this.prefix);
		runner.run((a) -> runner.run((b) -> {
			TieredCache cacheA = cache(a);
			TieredCache cacheB = cache(b);
			MeterReader metersA = meters(a);
			MeterReader metersB = meters(b);

			// Hits, misses, loads: one load, two L1 hits, one failed load, one plain miss.
			assertThat(cacheA.get("1", () -> "one")).isEqualTo("one");
			assertThat(cacheA.get("1", () -> "never")).isEqualTo("one");
			assertThat(cacheA.get("1", String.class)).isEqualTo("one");
			assertThatExceptionOfType(Cache.ValueRetrievalException.class)
				.isThrownBy(() -> cacheA.get("2", () -> {
					throw new IllegalStateException("source down");
				}));
			assertThat(cacheA.get("3")).isNull();
			// The other instance finds the loaded value in Redis.
			assertThat(cacheB.get("1", String.class)).isEqualTo("one");

			stampedeInOneInstance(cacheA);
			stampedeAcrossInstances(cacheA, cacheB);

			// Invalidations from the other instance.
			TieredCacheOperations operationsB = b.getBean(TieredCacheOperations.class);
			operationsB.invalidateTags("promo");
			operationsB.bumpVersion("catalog");
			operationsB.evict("products", "1");
			await().atMost(AWAIT)
				.untilAsserted(() -> assertThat(metersA.counter("tiered.cache.invalidations", "kind", "key", "origin",
						"remote") + metersA.counter("tiered.cache.invalidations", "kind", "tag", "origin", "remote")
						+ metersA.counter("tiered.cache.invalidations", "kind", "group", "origin", "remote"))
					.isEqualTo(3));

			// Instance A: L1 misses = 1 + 1 + 1 (script) + 8 (stampede) + 1 (cross-instance).
			assertThat(metersA.counter("tiered.cache.gets", "cache", "products", "tier", "l1", "result", "hit"))
				.isEqualTo(2);
			assertThat(metersA.counter("tiered.cache.gets", "cache", "products", "tier", "l1", "result", "miss"))
				.isEqualTo(12);
			assertThat(metersA.counter("tiered.cache.gets", "cache", "products", "tier", "l2", "result", "hit"))
				.isEqualTo(0);
			assertThat(metersA.counter("tiered.cache.gets", "cache", "products", "tier", "l2", "result", "miss"))
				.isEqualTo(5);
			assertThat(metersA.timerCount("tiered.cache.loads", "cache", "products", "result", "success"))
				.isEqualTo(3);
			assertThat(metersA.timerTotalNanos("tiered.cache.loads", "cache", "products", "result", "success"))
				.isPositive();
			assertThat(metersA.timerCount("tiered.cache.loads", "cache", "products", "result", "failure"))
				.isEqualTo(1);
			assertThat(metersA.counter("tiered.cache.puts", "cache", "products", "tier", "l2")).isEqualTo(3);
			assertThat(metersA.counter("tiered.cache.puts", "cache", "products", "tier", "l1")).isEqualTo(3);
			assertThat(lockWaits(metersA)).isZero();
			assertThat(metersA.counter("tiered.cache.evictions", "cache", "products", "tier", "l1", "cause",
					"remote"))
				.isEqualTo(1);
			assertThat(metersA.counter("tiered.cache.invalidations", "kind", "key", "origin", "remote"))
				.isEqualTo(1);
			assertThat(metersA.counter("tiered.cache.invalidations", "kind", "tag", "origin", "remote"))
				.isEqualTo(1);
			assertThat(metersA.counter("tiered.cache.invalidations", "kind", "group", "origin", "remote"))
				.isEqualTo(1);
			assertThat(metersA.sum("tiered.cache.invalidations", "origin", "local")).isZero();
			assertThat(metersA.gauge("tiered.cache.size", "cache", "products", "tier", "l1"))
				.isEqualTo(cacheA.getLocalSize());
			// Spring Boot's view of the same cache: hits of either tier, lookups neither answered.
			assertThat(metersA.counter("cache.gets", "cache", "products", "result", "hit")).isEqualTo(2);
			assertThat(metersA.counter("cache.gets", "cache", "products", "result", "miss")).isEqualTo(12);

			// Instance B: read "1" from L2, then waited once on A's load of "shared".
			assertThat(metersB.counter("tiered.cache.gets", "cache", "products", "tier", "l2", "result", "hit"))
				.isEqualTo(2);
			assertThat(metersB.counter("tiered.cache.gets", "cache", "products", "tier", "l2", "result", "miss"))
				.isEqualTo(1);
			assertThat(metersB.timerCount("tiered.cache.lock.waits", "cache", "products", "outcome", "value"))
				.isEqualTo(1);
			assertThat(metersB.timerTotalNanos("tiered.cache.lock.waits", "cache", "products", "outcome", "value"))
				.isPositive();
			assertThat(metersB.timerCount("tiered.cache.loads", "cache", "products", "result", "success")).isZero();
			assertThat(metersB.counter("tiered.cache.invalidations", "kind", "key", "origin", "local")).isEqualTo(1);
			assertThat(metersB.counter("tiered.cache.invalidations", "kind", "tag", "origin", "local")).isEqualTo(1);
			assertThat(metersB.counter("tiered.cache.invalidations", "kind", "group", "origin", "local"))
				.isEqualTo(1);
			assertThat(metersB.counter("tiered.cache.evictions", "cache", "products", "tier", "l2", "cause",
					"explicit"))
				.isEqualTo(1);
			assertThat(metersA.sum("tiered.cache.redis.errors") + metersB.sum("tiered.cache.redis.errors")).isZero();
			assertThat(metersA.gauge("tiered.cache.redis.circuit")).isZero();
		}));
	}

	private double lockWaits(MeterReader meters) {
		double count = 0;
		for (String outcome : new String[] { "value", "takeover", "timeout" }) {
			count += meters.timerCount("tiered.cache.lock.waits", "cache", "products", "outcome", outcome);
		}
		return count;
	}

	/** Eight callers miss the same key at once in one JVM: one load, the others share it. */
	private void stampedeInOneInstance(TieredCache cache) throws Exception {
		AtomicInteger loads = new AtomicInteger();
		CountDownLatch release = new CountDownLatch(1);
		long missesBefore = cache.getStatistics().misses(Tier.L1);
		List<Future<String>> callers = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			callers.add(this.threads.submit(() -> cache.get("hot", () -> {
				loads.incrementAndGet();
				release.await(10, TimeUnit.SECONDS);
				return "hot-value";
			})));
		}
		// Every caller has missed L1 and joins the single flight before the load ends.
		await().atMost(AWAIT).until(() -> cache.getStatistics().misses(Tier.L1) == missesBefore + 8);
		release.countDown();
		for (Future<String> caller : callers) {
			assertThat(caller.get(10, TimeUnit.SECONDS)).isEqualTo("hot-value");
		}
		assertThat(loads).hasValue(1);
	}

	/** Instance A loads a key slowly; instance B misses it meanwhile and waits on A's lock. */
	private void stampedeAcrossInstances(TieredCache cacheA, TieredCache cacheB) throws Exception {
		AtomicInteger loadsA = new AtomicInteger();
		AtomicInteger loadsB = new AtomicInteger();
		CountDownLatch release = new CountDownLatch(1);
		Future<String> holder = this.threads.submit(() -> cacheA.get("shared", () -> {
			loadsA.incrementAndGet();
			release.await(10, TimeUnit.SECONDS);
			return "shared-value";
		}));
		await().atMost(AWAIT).untilAtomic(loadsA, org.hamcrest.Matchers.equalTo(1));
		Future<String> waiter = this.threads.submit(() -> cacheB.get("shared", () -> {
			loadsB.incrementAndGet();
			return "loaded-by-b";
		}));
		// A caller that finds the lock taken raises the key's waiters flag in Redis.
		try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
			await().atMost(AWAIT).until(() -> !redis.commands().keys((this.prefix + "w:*").getBytes()).isEmpty());
		}
		release.countDown();
		assertThat(holder.get(10, TimeUnit.SECONDS)).isEqualTo("shared-value");
		assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo("shared-value");
		assertThat(loadsB).hasValue(0);
	}

	@Test
	void redisDownCountsErrorsUntilTheCircuitOpensAndTheGaugeShowsIt() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			// The circuit stays open and versions are not re-read in the background while
			// the test looks, so every Redis call is one the script makes.
			runner(redis.port(), TestRedis.uniquePrefix("metrics-redis-down"))
				.withPropertyValues("tiered-cache.redis.circuit-failure-threshold=3",
						"tiered-cache.redis.circuit-open-duration=10m", "tiered-cache.versions.refresh-interval=1h",
						"tiered-cache.redis.repair-interval=1h")
				.run((context) -> {
					TieredCache cache = cache(context);
					MeterReader meters = meters(context);
					assertThat(cache.get("warm", () -> "up")).isEqualTo("up");
					assertThat(meters.sum("tiered.cache.redis.errors")).isZero();
					assertThat(meters.gauge("tiered.cache.redis.circuit")).isZero();
					redis.kill();
					for (int i = 1; i <= 4; i++) {
						String value = "v" + i;
						assertThat(cache.get("k" + i, () -> value)).isEqualTo(value);
					}
					// Three failed reads open the circuit; the fourth skips Redis.
					assertThat(meters.counter("tiered.cache.redis.errors", "operation", "get")).isEqualTo(3);
					assertThat(meters.sum("tiered.cache.redis.errors")).isEqualTo(3);
					assertThat(meters.gauge("tiered.cache.redis.circuit")).isEqualTo(1);
					assertThat(meters.timerCount("tiered.cache.loads", "cache", "products", "result", "success"))
						.isEqualTo(5);
				});
		}
	}

	private static TieredCache cache(ApplicationContext context) {
		return context.getBean(TieredCacheManager.class).getCache("products");
	}

	private static MeterReader meters(ApplicationContext context) {
		return new MeterReader(context.getBean(MeterRegistry.class));
	}

}
