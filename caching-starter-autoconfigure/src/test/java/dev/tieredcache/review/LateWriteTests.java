package dev.tieredcache.review;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.RedisCommandExecutor;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.RedisServerProcess;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A write command that times out has not necessarily been lost: it may run late. Here
 * instance A's network holds its bytes for a moment (A's connection stays up). A's write
 * times out and A's caller returns; only then does B write a newer value, which lands.
 * When A's network delivers, A's older write runs after B's and overwrites it, and A's
 * replay spares it because its sequence is newer than the lost change.
 */
class LateWriteTests {

	private static ApplicationContextRunner runner(int port, String prefix) {
		return Instances.runner(port, prefix)
			.withPropertyValues("tiered-cache.redis.command-timeout=300ms",
					"tiered-cache.redis.circuit-failure-threshold=10", "tiered-cache.defaults.local.ttl=5m",
					"tiered-cache.defaults.ttl=10m");
	}

	@Test
	void aTimedOutWriteThatRunsLateNeverOverwritesANewerWriteThatCompletedAfterIt() throws Exception {
		String prefix = TestRedis.uniquePrefix("late-write");
		try (RedisServerProcess redis = RedisServerProcess.start(); HoldingProxy proxy = new HoldingProxy(redis.port())) {
			ApplicationContextRunner viaProxy = runner(proxy.port(), prefix);
			ApplicationContextRunner direct = runner(redis.port(), prefix);
			viaProxy.run((a) -> direct.run((b) -> {
				TieredCache cacheA = a.getBean(TieredCacheManager.class).getCache("users");
				TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("users");
				cacheA.put(1L, "v0");
				await().atMost(Duration.ofSeconds(2)).until(() -> "v0".equals(cacheB.get(1L, String.class)));

				// A's database write commits "v1"; A's cache write is held by the network and times out.
				proxy.hold();
				long started = System.nanoTime();
				cacheA.put(1L, "v1");
				assertThat(Duration.ofNanos(System.nanoTime() - started)).as("A's write timed out")
					.isGreaterThanOrEqualTo(Duration.ofMillis(250));
				assertThat(a.getBean(TieredCacheManager.class).pendingInvalidations()).isEqualTo(1);
				assertThat(a.getBean(RedisCommandExecutor.class).circuit().isOpen()).isFalse();

				// After A's write call returned, B's database write commits "v2" and its cache write lands.
				cacheB.put(1L, "v2");
				assertThat(redis.cli("STRLEN", prefix + "c:{users:1}")).isNotEqualTo("0");

				// A's network delivers what it held.
				proxy.release();
				await().atMost(Duration.ofSeconds(5))
					.until(() -> a.getBean(TieredCacheManager.class).pendingInvalidations() == 0);

				// The last completed write is "v2": within repair-interval + command-timeout
				// every instance must serve it (or load it), never A's older "v1".
				await("both instances serve the last completed write").atMost(Duration.ofSeconds(5))
					.pollInterval(Duration.ofMillis(100))
					.untilAsserted(() -> {
						assertThat(cacheB.get(1L, String.class)).as("B").isNotEqualTo("v1");
						assertThat(cacheA.get(1L, String.class)).as("A").isNotEqualTo("v1");
					});
			}));
		}
	}

}
