package dev.tieredcache.cache;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.tieredcache.cache.CacheStatistics.Tier;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Plain Spring {@code @Cacheable}, {@code @CachePut} and {@code @CacheEvict} go through both
 * tiers unchanged.
 */
class SpringCacheAnnotationsTests {

	private final ApplicationContextRunner runner = Instances
		.runner(TestRedis.SHARED_PORT, TestRedis.uniquePrefix("spring-cache"))
		.withConfiguration(AutoConfigurations.of(CacheAutoConfiguration.class))
		.withUserConfiguration(GreetingConfiguration.class);

	@Test
	void cacheableStoresInBothTiersAndTheSecondInstanceReadsRedis() {
		this.runner.run((a) -> this.runner.run((b) -> {
			GreetingService greetingsA = a.getBean(GreetingService.class);
			GreetingService greetingsB = b.getBean(GreetingService.class);
			assertThat(greetingsA.greet("ada")).isEqualTo("hello ada #1");
			assertThat(greetingsA.greet("ada")).isEqualTo("hello ada #1");
			assertThat(greetingsB.greet("ada")).isEqualTo("hello ada #1");
			assertThat(greetingsA.calls()).hasValue(1);
			assertThat(greetingsB.calls()).hasValue(0);
			TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("greetings");
			assertThat(cacheB.getStatistics().hits(Tier.L2)).isEqualTo(1);
		}));
	}

	@Test
	void cachePutAndCacheEvictReachBothTiers() {
		this.runner.run((context) -> {
			GreetingService greetings = context.getBean(GreetingService.class);
			greetings.greet("bob");
			assertThat(greetings.rename("bob")).isEqualTo("hi bob");
			assertThat(greetings.greet("bob")).isEqualTo("hi bob");
			greetings.forget("bob");
			assertThat(greetings.greet("bob")).isEqualTo("hello bob #2");
		});
	}

	@Test
	void syncCacheableLoadsOnce() {
		this.runner.run((context) -> {
			GreetingService greetings = context.getBean(GreetingService.class);
			assertThat(greetings.greetSync("cy")).isEqualTo("hello cy #1");
			assertThat(greetings.greetSync("cy")).isEqualTo("hello cy #1");
			assertThat(greetings.calls()).hasValue(1);
		});
	}

	public static class GreetingService {

		private final AtomicInteger calls = new AtomicInteger();

		@Cacheable("greetings")
		public String greet(String name) {
			return "hello " + name + " #" + this.calls.incrementAndGet();
		}

		@Cacheable(cacheNames = "greetings-sync", sync = true)
		public String greetSync(String name) {
			return "hello " + name + " #" + this.calls.incrementAndGet();
		}

		@CachePut(cacheNames = "greetings", key = "#name")
		public String rename(String name) {
			return "hi " + name;
		}

		@CacheEvict(cacheNames = "greetings", key = "#name")
		public void forget(String name) {
		}

		public AtomicInteger calls() {
			return this.calls;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class GreetingConfiguration {

		@Bean
		GreetingService greetingService() {
			return new GreetingService();
		}

	}

}
