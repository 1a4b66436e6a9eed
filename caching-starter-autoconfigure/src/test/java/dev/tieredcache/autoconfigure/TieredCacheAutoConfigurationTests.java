package dev.tieredcache.autoconfigure;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tieredcache.TieredCacheOperations;
import dev.tieredcache.cache.CacheSettings;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.interceptor.TieredCacheAdvisor;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Wiring of {@link TieredCacheAutoConfiguration}: what it registers, when it backs off, how
 * it binds and how it rejects bad configuration.
 */
class TieredCacheAutoConfigurationTests {

	private final ApplicationContextRunner runner = Instances
		.runner(TestRedis.SHARED_PORT, TestRedis.uniquePrefix("autoconfig"))
		.withConfiguration(AutoConfigurations.of(CacheAutoConfiguration.class));

	@Test
	void registersTheTieredCacheManagerAsTheCacheManager() {
		this.runner.withUserConfiguration(CachingConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(CacheManager.class);
			assertThat(context.getBean("cacheManager")).isInstanceOf(TieredCacheManager.class);
			assertThat(context).hasSingleBean(TieredCacheOperations.class);
			assertThat(context).hasSingleBean(TieredCacheAdvisor.class);
		});
	}

	@Test
	void backsOffWhenTheUserDefinesACacheManager() {
		this.runner.withUserConfiguration(UserCacheManagerConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(CacheManager.class);
			assertThat(context.getBean(CacheManager.class)).isInstanceOf(ConcurrentMapCacheManager.class);
			assertThat(context).doesNotHaveBean(TieredCacheManager.class);
		});
	}

	@Test
	void backsOffWhenDisabled() {
		this.runner.withPropertyValues("tiered-cache.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(TieredCacheManager.class));
	}

	@Test
	void backsOffWithoutLettuce() {
		this.runner.withClassLoader(new FilteredClassLoader(LettuceConnectionFactory.class))
			.run((context) -> assertThat(context).doesNotHaveBean(TieredCacheManager.class));
	}

	@Test
	void bindsDefaultsAndPerCacheOverrides() {
		this.runner
			.withPropertyValues("tiered-cache.defaults.ttl=10m", "tiered-cache.defaults.jitter=0.2",
					"tiered-cache.defaults.local.ttl=1m", "tiered-cache.caches.users.ttl=5m",
					"tiered-cache.caches.users.local.ttl=20s", "tiered-cache.caches.users.stampede.lease=3s")
			.run((context) -> {
				TieredCacheManager manager = context.getBean(TieredCacheManager.class);
				assertThat(manager.getCacheNames()).containsExactly("users");
				CacheSettings users = manager.getCache("users").getSettings();
				assertThat(users.ttl()).isEqualTo(Duration.ofMinutes(5));
				assertThat(users.localTtl()).isEqualTo(Duration.ofSeconds(20));
				assertThat(users.jitter()).isEqualTo(0.2);
				assertThat(users.lease()).isEqualTo(Duration.ofSeconds(3));
				assertThat(users.nullTtl()).isEqualTo(CacheSettings.DEFAULTS.nullTtl());
				TieredCache other = manager.getCache("other");
				assertThat(other.getSettings().ttl()).isEqualTo(Duration.ofMinutes(10));
			});
	}

	@Test
	void unknownCachesFailWithTheirNameWhenDynamicCreationIsOff() {
		this.runner.withPropertyValues("tiered-cache.dynamic=false", "tiered-cache.caches.users.ttl=5m")
			.run((context) -> {
				TieredCacheManager manager = context.getBean(TieredCacheManager.class);
				assertThat(manager.getCache("users")).isNotNull();
				assertThatIllegalArgumentException().isThrownBy(() -> manager.getCache("orders"))
					.withMessageContaining("'orders'")
					.withMessageContaining("tiered-cache.caches.orders");
			});
	}

	@Test
	void rejectsANegativeTtlNamingTheProperty() {
		assertRejected("tiered-cache.caches.users.ttl", "tiered-cache.caches.users.ttl=-1s");
	}

	@Test
	void rejectsJitterOutsideZeroToOne() {
		assertRejected("tiered-cache.defaults.jitter", "tiered-cache.defaults.jitter=1.5");
	}

	@Test
	void rejectsALocalTtlLongerThanTheRedisTtl() {
		assertRejected("tiered-cache.caches.users.local.ttl", "tiered-cache.caches.users.ttl=1m",
				"tiered-cache.caches.users.local.ttl=2m");
	}

	@Test
	void rejectsAnEmptyKeyPrefix() {
		assertRejected("tiered-cache.key-prefix", "tiered-cache.key-prefix=");
	}

	@Test
	void rejectsAKeyPrefixWithBraces() {
		assertRejected("tiered-cache.key-prefix", "tiered-cache.key-prefix={shop}:");
	}

	@Test
	void rejectsANonPositiveCommandTimeout() {
		assertRejected("tiered-cache.redis.command-timeout", "tiered-cache.redis.command-timeout=0s");
	}

	@Test
	void rejectsANegativeNullTtl() {
		assertRejected("tiered-cache.defaults.null-ttl", "tiered-cache.defaults.null-ttl=-5s");
	}

	@Test
	void rejectsANegativeEarlyRefreshBeta() {
		assertRejected("tiered-cache.caches.quotes.early-refresh.beta", "tiered-cache.caches.quotes.early-refresh.beta=-1");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '=', value = { "tiered-cache.defaults.ttl=0s", "tiered-cache.defaults.local.ttl=-1s",
			"tiered-cache.defaults.local.maximum-size=-1", "tiered-cache.defaults.stale-while-revalidate=-1s",
			"tiered-cache.defaults.max-value-size=0B", "tiered-cache.defaults.stampede.lease=0s",
			"tiered-cache.defaults.stampede.wait-timeout=-1s", "tiered-cache.redis.circuit-failure-threshold=0",
			"tiered-cache.redis.circuit-open-duration=0s", "tiered-cache.versions.ttl=0s",
			"tiered-cache.versions.refresh-interval=-1s", "tiered-cache.refresh.threads=0",
			"tiered-cache.caches.users.jitter=-0.1" })
	void rejectsEveryInvalidPropertyNamingIt(String property, String value) {
		assertRejected(property, property + "=" + value);
	}

	private void assertRejected(String property, String... properties) {
		this.runner.withPropertyValues(properties).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining(property);
		});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CachingConfiguration {

	}

	@Configuration(proxyBeanMethods = false)
	static class UserCacheManagerConfiguration {

		@Bean
		CacheManager userCacheManager() {
			return new ConcurrentMapCacheManager();
		}

	}

}
