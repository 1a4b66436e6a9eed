package dev.tieredcache.testsupport;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.InvalidationSubscription;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The helpers an application's tests use: empty every tier, wait for invalidations.
 */
class TieredCacheTestSupportTests {

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT,
			TestRedis.uniquePrefix("support"));

	@Test
	void awaitPropagationReturnsOnceTheOtherInstanceHasTheChange() {
		this.runner.run((a) -> this.runner.run((b) -> {
			await().atMost(Duration.ofSeconds(5)).until(() -> b.getBean(InvalidationSubscription.class).isListening());
			TieredCache cacheA = a.getBean(TieredCacheManager.class).getCache("users");
			TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("users");
			cacheA.put(1L, "alice");
			TieredCacheTestSupport.awaitPropagation(a, b, Duration.ofSeconds(5));
			assertThat(cacheB.get(1L, String.class)).isEqualTo("alice");
			for (int i = 0; i < 20; i++) {
				String name = "alice-" + i;
				cacheA.put(1L, name);
				TieredCacheTestSupport.awaitPropagation(a, b, Duration.ofSeconds(5));
				assertThat(cacheB.get(1L, String.class)).as("B right after the wait").isEqualTo(name);
			}
		}));
	}

	@Test
	void clearAllEmptiesEveryTierOnEveryInstance() {
		this.runner.run((a) -> this.runner.run((b) -> {
			await().atMost(Duration.ofSeconds(5)).until(() -> b.getBean(InvalidationSubscription.class).isListening());
			TieredCacheManager managerA = a.getBean(TieredCacheManager.class);
			TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("users");
			managerA.getCache("users").put(1L, "alice");
			TieredCacheTestSupport.awaitPropagation(a, b, Duration.ofSeconds(5));
			assertThat(cacheB.get(1L, String.class)).isEqualTo("alice");
			TieredCacheTestSupport.clearAll(managerA);
			TieredCacheTestSupport.awaitPropagation(a, b, Duration.ofSeconds(5));
			assertThat(cacheB.get(1L)).isNull();
			assertThat(managerA.getCache("users").get(1L)).isNull();
		}));
	}

}
