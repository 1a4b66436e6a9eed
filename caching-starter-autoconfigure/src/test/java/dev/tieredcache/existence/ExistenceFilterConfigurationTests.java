package dev.tieredcache.existence;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Start-up checks of the existence filter's configuration: each names the property at fault.
 */
class ExistenceFilterConfigurationTests {

	private static final ExistingKeys USERS = ExistingKeys.of("users", Stream::empty);

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT,
			TestRedis.uniquePrefix("existence-config"));

	@Test
	void aFilterWithoutExistingKeysFailsNamingTheCacheAndProperty() {
		this.runner.withPropertyValues("tiered-cache.caches.users.existence-filter.enabled=true")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("tiered-cache.caches.users.existence-filter.enabled")
				.hasMessageContaining("ExistingKeys bean whose cacheName() is 'users'"));
	}

	@Test
	void existingKeysOfACacheWithoutAFilterFail() {
		this.runner.withPropertyValues("tiered-cache.caches.users.ttl=1m")
			.withBean(ExistingKeys.class, () -> USERS)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("tiered-cache.caches.users.existence-filter.enabled")
				.hasMessageContaining("which has no existence filter"));
	}

	@Test
	void twoSourcesOfOneCacheFail() {
		this.runner.withPropertyValues("tiered-cache.caches.users.existence-filter.enabled=true")
			.withBean("one", ExistingKeys.class, () -> USERS)
			.withBean("two", ExistingKeys.class, () -> USERS)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("Several ExistingKeys beans list the keys of cache 'users'"));
	}

	@Test
	void enablingItForEveryCacheFails() {
		this.runner.withPropertyValues("tiered-cache.defaults.existence-filter.enabled=true")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("tiered-cache.defaults.existence-filter.enabled"));
	}

	@Test
	void aFilterLargerThanARedisStringFailsNamingExpectedKeys() {
		this.runner
			.withPropertyValues("tiered-cache.caches.users.existence-filter.enabled=true",
					"tiered-cache.caches.users.existence-filter.expected-keys=1000000000",
					"tiered-cache.caches.users.existence-filter.false-positive-rate=0.001")
			.withBean(ExistingKeys.class, () -> USERS)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("tiered-cache.caches.users.existence-filter.expected-keys")
				.hasMessageContaining("2^32 bits"));
	}

	@Test
	void outOfRangeValuesFailNamingTheirProperty() {
		this.runner.withPropertyValues("tiered-cache.defaults.existence-filter.false-positive-rate=0")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("tiered-cache.defaults.existence-filter.false-positive-rate"));
		this.runner.withPropertyValues("tiered-cache.caches.users.existence-filter.expected-keys=0")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("tiered-cache.caches.users.existence-filter.expected-keys"));
	}

	@Test
	void withoutRedisTheCacheHasNoFilterAndEveryMissLoads() {
		this.runner
			.withPropertyValues("tiered-cache.redis.enabled=false",
					"tiered-cache.caches.users.existence-filter.enabled=true")
			.withBean(ExistingKeys.class, () -> USERS)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(TieredCacheManager.class).getCache("users").getExistenceFilter()).isNull();
				assertThat(context.getBean(TieredCacheManager.class).getCache("users").get(1L, () -> "one"))
					.isEqualTo("one");
			});
	}

}
