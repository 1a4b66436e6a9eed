package dev.tieredcache.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.cache.test.autoconfigure.AutoConfigureCache;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.support.NoOpCacheManager;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.tieredcache.autoconfigure.TieredCacheAutoConfigurationTests.AnnotatedService;
import dev.tieredcache.cache.TieredCacheManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application's test with Spring Boot's {@code @AutoConfigureCache} (as the test slices
 * apply it): caching is off for the starter's annotations as for Spring's own, so the
 * methods run uncached, and the application still starts.
 */
@SpringBootTest(properties = { "spring.data.redis.host=127.0.0.1", "spring.data.redis.port=6379",
		"tiered-cache.key-prefix=tc-test:auto-configure-cache:" })
@AutoConfigureCache
class AutoConfigureCacheTests {

	@Autowired
	private ApplicationContext context;

	@Autowired
	private AnnotatedService service;

	@Test
	void theStartersAnnotationsRunTheirMethodsUncached() {
		this.service.find("a");
		this.service.find("a");
		assertThat(this.service.loads).hasValue(2);
		assertThat(this.context.getBeansOfType(TieredCacheManager.class)).isEmpty();
		assertThat(this.context.getBean(CacheManager.class)).isInstanceOf(NoOpCacheManager.class);
	}

	@SpringBootConfiguration
	@EnableCaching
	@ImportAutoConfiguration({ DataRedisAutoConfiguration.class, AopAutoConfiguration.class,
			TieredCacheAutoConfiguration.class, TieredCacheAbsentAutoConfiguration.class })
	static class Application {

		@Bean
		AnnotatedService annotatedService() {
			return new AnnotatedService();
		}

	}

}
