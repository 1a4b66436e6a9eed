package dev.tieredcache.interceptor;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.tieredcache.annotation.ReadThrough;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application with a {@code CacheManager} of its own (here a
 * {@link ConcurrentMapCacheManager}, as for a second, local cache): the starter's
 * annotations still cache in both tiers, plain {@code @Cacheable} stays on the application's
 * manager, and {@code @Cacheable(cacheManager = "tieredCacheManager")} reaches ours. Two
 * application contexts on the real Redis stand for two instances.
 */
class ApplicationCacheManagerTests {

	private final ApplicationContextRunner runner = Instances
		.runner(TestRedis.SHARED_PORT, TestRedis.uniquePrefix("own-cache-manager"))
		.withConfiguration(AutoConfigurations.of(CacheAutoConfiguration.class))
		.withUserConfiguration(ApplicationConfiguration.class);

	@Test
	void readThroughLoadsOnceAcrossCallsAndInstances() {
		this.runner.run((a) -> this.runner.run((b) -> {
			Catalog catalogA = a.getBean(Catalog.class);
			Catalog catalogB = b.getBean(Catalog.class);
			assertThat(catalogA.product("1")).isEqualTo("product 1 #1");
			assertThat(catalogA.product("1")).isEqualTo("product 1 #1");
			assertThat(catalogB.product("1")).as("read from Redis").isEqualTo("product 1 #1");
			assertThat(catalogA.loads()).hasValue(1);
			assertThat(catalogB.loads()).hasValue(0);
		}));
	}

	@Test
	void plainCacheableStaysOnTheApplicationsCacheManager() {
		this.runner.run((a) -> this.runner.run((b) -> {
			Catalog catalogA = a.getBean(Catalog.class);
			Catalog catalogB = b.getBean(Catalog.class);
			assertThat(catalogA.price("1")).isEqualTo("price 1 #1");
			assertThat(catalogA.price("1")).isEqualTo("price 1 #1");
			assertThat(catalogA.loads()).hasValue(1);
			assertThat(a.getBean(ConcurrentMapCacheManager.class).getCache("prices").get("1", String.class))
				.isEqualTo("price 1 #1");
			assertThat(a.getBean(TieredCacheManager.class).getCacheNames()).doesNotContain("prices");
			// A local cache: the other instance loads for itself.
			assertThat(catalogB.price("1")).isEqualTo("price 1 #1");
			assertThat(catalogB.loads()).hasValue(1);
		}));
	}

	@Test
	void cacheableNamingTheTieredCacheManagerUsesBothTiers() {
		this.runner.run((a) -> this.runner.run((b) -> {
			Catalog catalogA = a.getBean(Catalog.class);
			Catalog catalogB = b.getBean(Catalog.class);
			assertThat(catalogA.stock("1")).isEqualTo("stock 1 #1");
			assertThat(catalogA.stock("1")).isEqualTo("stock 1 #1");
			assertThat(catalogB.stock("1")).as("read from Redis").isEqualTo("stock 1 #1");
			assertThat(catalogA.loads()).hasValue(1);
			assertThat(catalogB.loads()).hasValue(0);
			assertThat(a.getBean(ConcurrentMapCacheManager.class).getCacheNames()).doesNotContain("stock");
		}));
	}

	public static class Catalog {

		private final AtomicInteger loads = new AtomicInteger();

		@ReadThrough(cache = "products", key = "#id")
		public String product(String id) {
			return "product " + id + " #" + this.loads.incrementAndGet();
		}

		@Cacheable("prices")
		public String price(String id) {
			return "price " + id + " #" + this.loads.incrementAndGet();
		}

		@Cacheable(cacheNames = "stock", cacheManager = "tieredCacheManager")
		public String stock(String id) {
			return "stock " + id + " #" + this.loads.incrementAndGet();
		}

		public AtomicInteger loads() {
			return this.loads;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class ApplicationConfiguration {

		@Bean
		CacheManager localCacheManager() {
			return new ConcurrentMapCacheManager();
		}

		@Bean
		Catalog catalog() {
			return new Catalog();
		}

	}

}
