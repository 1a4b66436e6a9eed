package dev.tieredcache.review2;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.Cache.ValueWrapper;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.RedisCommandExecutor;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.RedisServerProcess;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code putIfAbsent} whose Redis commands time out (Redis frozen for a moment, the circuit
 * stays closed): it cannot tell whether a value is present, yet it puts its own value in
 * L1 with an unconditional write (no stamp, nothing pending, no message). When a newer
 * value was present in Redis all along, this instance serves its older value until
 * {@code local.ttl} while every other instance serves the newer one.
 */
class PutIfAbsentTests {

	private static ApplicationContextRunner runner(int port, String prefix) {
		return Instances.runner(port, prefix)
			.withPropertyValues("tiered-cache.redis.command-timeout=300ms",
					"tiered-cache.redis.circuit-failure-threshold=10", "tiered-cache.defaults.local.ttl=5m",
					"tiered-cache.defaults.ttl=10m");
	}

	@Test
	void aPutIfAbsentWhoseCommandsTimeOutNeverOverridesAPresentNewerValueInL1() throws Exception {
		String prefix = TestRedis.uniquePrefix("pia");
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			ApplicationContextRunner runner = runner(redis.port(), prefix);
			runner.run((a) -> runner.run((b) -> {
				TieredCache cacheA = a.getBean(TieredCacheManager.class).getCache("users");
				TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("users");
				cacheA.put(2L, "other"); // A knows the cache's epoch
				// A read row 1 as "v1"; then B's database write commits "v2" and its cache write lands.
				cacheB.put(1L, "v2");

				redis.pause();
				ValueWrapper previous;
				try {
					previous = cacheA.putIfAbsent(1L, "v1");
				}
				finally {
					redis.resume();
				}
				assertThat(a.getBean(RedisCommandExecutor.class).circuit().isOpen()).isFalse();
				assertThat(cacheB.get(1L, String.class)).isEqualTo("v2");
				await("A serves what Redis and B hold").atMost(Duration.ofSeconds(5))
					.pollInterval(Duration.ofMillis(100))
					.untilAsserted(() -> assertThat(cacheA.get(1L, String.class))
						.as("A (putIfAbsent returned %s)", previous).isEqualTo("v2"));
			}));
		}
	}

}
