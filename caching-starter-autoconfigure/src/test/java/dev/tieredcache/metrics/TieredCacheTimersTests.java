package dev.tieredcache.metrics;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import dev.tieredcache.autoconfigure.TieredCacheMetricsAutoConfiguration;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code tiered.cache.loads} and {@code tiered.cache.lock.waits} are real timers: Spring
 * Boot's {@code management.metrics.distribution.*} settings give them histograms and
 * percentiles in a Prometheus scrape, against the real Redis.
 */
class TieredCacheTimersTests {

	private final ExecutorService threads = Executors.newFixedThreadPool(2);

	private final String prefix = TestRedis.uniquePrefix("timers");

	@AfterEach
	void stopThreads() {
		this.threads.shutdownNow();
	}

	private ApplicationContextRunner runner() {
		return Instances.runner(TestRedis.SHARED_PORT, this.prefix)
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
					CompositeMeterRegistryAutoConfiguration.class, PrometheusMetricsExportAutoConfiguration.class,
					TieredCacheMetricsAutoConfiguration.class))
			.withPropertyValues("tiered-cache.caches.products.ttl=10m",
					"tiered-cache.caches.products.stampede.wait-timeout=200ms");
	}

	@Test
	void distributionSettingsGiveTheLoadTimerAHistogramAndTheLockWaitTimerPercentiles() {
		ApplicationContextRunner runner = runner().withPropertyValues(
				"management.metrics.distribution.percentiles-histogram.tiered.cache.loads=true",
				"management.metrics.distribution.percentiles.tiered.cache.lock.waits=0.5,0.99");
		runner.run((a) -> runner.run((b) -> {
			waitOnAnotherInstancesLoadUntilTheWaitTimesOut(cache(a), cache(b));
			String scrape = a.getBean(PrometheusMeterRegistry.class).scrape();
			assertThat(scrape).containsPattern(
					"tiered_cache_loads_seconds_bucket\\{cache=\"products\",result=\"success\",le=\"[0-9.]+\"} 1");
			String waits = b.getBean(PrometheusMeterRegistry.class).scrape();
			assertThat(waits).containsPattern(
					"tiered_cache_lock_waits_seconds\\{cache=\"products\",outcome=\"timeout\",quantile=\"0.99\"} 0\\.[1-9]");
			Timer wait = b.getBean(MeterRegistry.class)
				.get("tiered.cache.lock.waits")
				.tags("cache", "products", "outcome", "timeout")
				.timer();
			assertThat(wait.count()).isEqualTo(1);
			assertThat(wait.totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(200);
		}));
	}

	@Test
	void withoutDistributionSettingsTheTimersHaveNeitherBucketsNorPercentiles() {
		runner().run((context) -> {
			cache(context).get("1", () -> "one");
			String scrape = context.getBean(PrometheusMeterRegistry.class).scrape();
			assertThat(scrape).contains("tiered_cache_loads_seconds_count{cache=\"products\",result=\"success\"} 1")
				.doesNotContain("tiered_cache_loads_seconds_bucket")
				.doesNotContain("tiered_cache_lock_waits_seconds{");
		});
	}

	@Test
	void bindingTheMetersTwiceToOneRegistryRecordsEachLoadOnce() {
		runner().run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			new TieredCacheManagerMetrics(context.getBean(TieredCacheManager.class), List.of()).bindTo(registry);
			cache(context).get("1", () -> "one");
			assertThat(registry.get("tiered.cache.loads").tags("cache", "products", "result", "success").timer().count())
				.isEqualTo(1);
		});
	}

	/**
	 * Instance A holds the load lock of a key with a load that lasts; instance B misses the
	 * key, waits its 200 ms wait timeout and loads by itself.
	 */
	private void waitOnAnotherInstancesLoadUntilTheWaitTimesOut(TieredCache a, TieredCache b) throws Exception {
		AtomicInteger loadsA = new AtomicInteger();
		CountDownLatch release = new CountDownLatch(1);
		Future<String> holder = this.threads.submit(() -> a.get("slow", () -> {
			loadsA.incrementAndGet();
			release.await(10, TimeUnit.SECONDS);
			return "from-a";
		}));
		await().atMost(java.time.Duration.ofSeconds(10)).until(() -> loadsA.get() == 1);
		assertThat(b.get("slow", () -> "from-b")).isEqualTo("from-b");
		release.countDown();
		assertThat(holder.get(10, TimeUnit.SECONDS)).isEqualTo("from-a");
	}

	private static TieredCache cache(ApplicationContext context) {
		return context.getBean(TieredCacheManager.class).getCache("products");
	}

}
