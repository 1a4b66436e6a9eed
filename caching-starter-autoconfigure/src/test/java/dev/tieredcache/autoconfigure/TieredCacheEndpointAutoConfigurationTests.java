package dev.tieredcache.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.CacheManager;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;

import dev.tieredcache.actuate.TieredCacheEndpoint;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Wiring of {@link TieredCacheEndpointAutoConfiguration}: the endpoint exists only where the
 * application exposes it.
 */
class TieredCacheEndpointAutoConfigurationTests {

	private final ApplicationContextRunner runner = Instances
		.runner(TestRedis.SHARED_PORT, TestRedis.uniquePrefix("endpoint-autoconfig"))
		.withConfiguration(AutoConfigurations.of(TieredCacheEndpointAutoConfiguration.class));

	@Test
	void endpointIsAbsentUnlessExposed() {
		this.runner.run((context) -> assertThat(context).hasSingleBean(TieredCacheManager.class)
			.doesNotHaveBean(TieredCacheEndpoint.class));
	}

	@Test
	void endpointIsPresentWhenExposedOverTheWeb() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=tieredcache")
			.run((context) -> assertThat(context).hasSingleBean(TieredCacheEndpoint.class));
	}

	@Test
	void endpointIsPresentWhenTheApplicationHasACacheManagerOfItsOwn() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=tieredcache")
			.withBean("localCacheManager", CacheManager.class, ConcurrentMapCacheManager::new)
			.run((context) -> assertThat(context).hasSingleBean(TieredCacheEndpoint.class));
	}

	@Test
	void endpointIsAbsentWhenExposedButItsAccessIsNone() {
		this.runner
			.withPropertyValues("management.endpoints.web.exposure.include=tieredcache",
					"management.endpoint.tieredcache.access=NONE")
			.run((context) -> assertThat(context).doesNotHaveBean(TieredCacheEndpoint.class));
	}

	@Test
	void backsOffWithoutTheActuator() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=tieredcache")
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(TieredCacheEndpoint.class));
	}

}
