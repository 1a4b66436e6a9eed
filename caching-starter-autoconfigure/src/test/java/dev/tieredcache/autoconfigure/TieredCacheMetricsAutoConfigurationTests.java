package dev.tieredcache.autoconfigure;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.metrics.CacheMetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.CacheManager;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;

import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.metrics.TieredCacheCoordinationMetrics;
import dev.tieredcache.metrics.TieredCacheExecutorMetrics;
import dev.tieredcache.metrics.TieredCacheManagerMetrics;
import dev.tieredcache.metrics.TieredCacheMeterBinderProvider;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Wiring of {@link TieredCacheMetricsAutoConfiguration} against the real Redis.
 */
class TieredCacheMetricsAutoConfigurationTests {

	private final ApplicationContextRunner runner = Instances
		.runner(TestRedis.SHARED_PORT, TestRedis.uniquePrefix("metrics-autoconfig"))
		.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
				CacheMetricsAutoConfiguration.class, TieredCacheMetricsAutoConfiguration.class))
		.withPropertyValues("tiered-cache.caches.users.ttl=1m");

	@Test
	void registersTheMetersOfConfiguredCachesAndOfTheCoordination() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(TieredCacheManagerMetrics.class)
				.hasSingleBean(TieredCacheCoordinationMetrics.class)
				.hasSingleBean(TieredCacheMeterBinderProvider.class);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.find("tiered.cache.gets").tags("cache", "users", "tier", "l1", "result", "hit")
				.functionCounter()).isNotNull();
			assertThat(registry.find("tiered.cache.size").tags("cache", "users", "tier", "l1").gauge()).isNotNull();
			assertThat(registry.find("tiered.cache.loads").tags("cache", "users", "result", "failure").timer())
				.isNotNull();
			assertThat(registry.find("tiered.cache.lock.waits").tags("cache", "users", "outcome", "timeout").timer())
				.isNotNull();
			assertThat(registry.find("tiered.cache.invalidations").tags("kind", "tag", "origin", "remote")
				.functionCounter()).isNotNull();
			assertThat(registry.find("tiered.cache.redis.errors").tags("operation", "get").functionCounter())
				.isNotNull();
			assertThat(registry.find("tiered.cache.redis.circuit").gauge()).isNotNull()
				.extracting((gauge) -> gauge.value())
				.isEqualTo(0.0);
		});
	}

	@Test
	void registersTheExecutorMetersOfBothPools() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(TieredCacheExecutorMetrics.class);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			TieredCacheExecutors executors = context.getBean(TieredCacheExecutors.class);
			executors.refresh().submit(() -> "done").get();
			org.awaitility.Awaitility.await()
				.until(() -> registry.get("executor.completed").tag("name", "tieredCacheRefresh").functionCounter()
					.count() == 1.0);
			assertThat(registry.get("executor.pool.max").tag("name", "tieredCacheRefresh").gauge().value())
				.isEqualTo(2.0);
			assertThat(registry.get("executor.pool.max").tag("name", "tieredCacheAsync").gauge().value())
				.isEqualTo(64.0);
			assertThat(registry.get("executor.queue.remaining").tag("name", "tieredCacheRefresh").gauge().value())
				.isEqualTo(256.0);
		});
	}

	@Test
	void registersTheMetersOfACacheCreatedAfterStartUp() {
		this.runner.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.find("tiered.cache.gets").tag("cache", "orders").meters()).isEmpty();
			context.getBean(TieredCacheManager.class).getCache("orders").get("1");
			FunctionCounter misses = registry.find("tiered.cache.gets")
				.tags("cache", "orders", "tier", "l1", "result", "miss")
				.functionCounter();
			assertThat(misses).isNotNull();
			assertThat(misses.count()).isEqualTo(1.0);
		});
	}

	@Test
	void everyMeterHasADescriptionAndTheSameTagKeysAsTheOthersOfItsName() {
		this.runner.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			context.getBean(TieredCacheManager.class).getCache("orders");
			java.util.Map<String, java.util.Set<String>> keysByName = new java.util.HashMap<>();
			for (Meter meter : registry.getMeters()) {
				String name = meter.getId().getName();
				if (!name.startsWith("tiered.cache.")) {
					continue;
				}
				assertThat(meter.getId().getDescription()).as(name).isNotBlank();
				java.util.Set<String> keys = new java.util.TreeSet<>();
				meter.getId().getTags().forEach((tag) -> keys.add(tag.getKey()));
				java.util.Set<String> first = keysByName.putIfAbsent(name, keys);
				assertThat(keys).as(name).isEqualTo((first != null) ? first : keys);
			}
			assertThat(keysByName.get("tiered.cache.invalidations")).containsExactly("kind", "origin");
			assertThat(keysByName.get("tiered.cache.values.rejected")).containsExactly("cache", "reason");
			assertThat(keysByName.get("tiered.cache.batch.size")).containsExactly("cache");
			assertThat(keysByName.get("tiered.cache.hot.keys.share")).containsExactly("cache");
			assertThat(keysByName.get("tiered.cache.warmup.warmers")).containsExactly("result");
			assertThat(keysByName).hasSize(16);
		});
	}

	@Test
	void springBootCacheMetricsBindTieredCachesThroughTheProvider() {
		this.runner.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			context.getBean(TieredCacheManager.class).getCache("users").get("absent");
			FunctionCounter misses = registry.find("cache.gets")
				.tags("cache", "users", "cache.manager", "cacheManager", "result", "miss")
				.functionCounter();
			assertThat(misses).isNotNull();
			assertThat(misses.count()).isEqualTo(1.0);
		});
	}

	@Test
	void registersTheMetersWhenTheApplicationHasACacheManagerOfItsOwn() {
		this.runner.withBean("localCacheManager", CacheManager.class, ConcurrentMapCacheManager::new)
			.run((context) -> {
				assertThat(context).hasSingleBean(TieredCacheManagerMetrics.class)
					.hasSingleBean(TieredCacheCoordinationMetrics.class);
				assertThat(context.getBean(CacheManager.class)).isInstanceOf(ConcurrentMapCacheManager.class);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.find("tiered.cache.gets").tags("cache", "users", "tier", "l1", "result", "hit")
					.functionCounter()).isNotNull();
				assertThat(registry.find("tiered.cache.redis.circuit").gauge()).isNotNull();
			});
	}

	@Test
	void backsOffWithoutMicrometer() {
		Instances.runner(TestRedis.SHARED_PORT, TestRedis.uniquePrefix("metrics-autoconfig"))
			.withConfiguration(AutoConfigurations.of(TieredCacheMetricsAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("io.micrometer.core"))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(TieredCacheManagerMetrics.class)
				.hasSingleBean(TieredCacheManager.class)
				.doesNotHaveBean(TieredCacheCoordinationMetrics.class));
	}

	@Test
	void backsOffWithoutAMeterRegistry() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(TieredCacheMetricsAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(TieredCacheManagerMetrics.class));
	}

}
