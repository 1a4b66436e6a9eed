package dev.tieredcache.coherence;

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
 * A single Redis command that never runs (issue 11, case 1): the change it carried must
 * still reach every instance, whether or not the circuit opened.
 */
class LostCommandTests {

	private static ApplicationContextRunner runner(int port) {
		return Instances.runner(port, TestRedis.uniquePrefix("lost"))
			.withPropertyValues("tiered-cache.redis.command-timeout=300ms",
					"tiered-cache.redis.circuit-failure-threshold=10", "tiered-cache.defaults.local.ttl=5m",
					"tiered-cache.defaults.ttl=10m");
	}

	@Test
	void aWriteWhoseCommandIsLostReachesTheOtherInstanceWithoutTheCircuitOpening() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			ApplicationContextRunner runner = runner(redis.port());
			runner.run((a) -> runner.run((b) -> {
				TieredCache cacheA = a.getBean(TieredCacheManager.class).getCache("users");
				TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("users");
				cacheA.put(1L, "v1");
				await().atMost(Duration.ofSeconds(2))
					.until(() -> "v1".equals(cacheB.get(1L, String.class)) && cacheB.getLocalSize() == 1);
				loseNextWrites(redis, () -> cacheA.put(1L, "v2"));
				assertThat(a.getBean(RedisCommandExecutor.class).circuit().isOpen()).isFalse();
				// A serves its own write, or a miss once the repair has deleted it everywhere.
				assertThat(cacheA.get(1L, String.class)).isIn("v2", null);
				await().atMost(Duration.ofSeconds(5)).untilAsserted(
						() -> assertThat(cacheB.get(1L, String.class)).as("B after A's lost write").isNotEqualTo("v1"));
			}));
		}
	}

	@Test
	void anEvictionWhoseCommandIsLostReachesTheOtherInstance() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			ApplicationContextRunner runner = runner(redis.port());
			runner.run((a) -> runner.run((b) -> {
				TieredCache cacheA = a.getBean(TieredCacheManager.class).getCache("users");
				TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("users");
				cacheA.put(1L, "v1");
				await().atMost(Duration.ofSeconds(2))
					.until(() -> "v1".equals(cacheB.get(1L, String.class)) && cacheB.getLocalSize() == 1);
				loseNextWrites(redis, () -> cacheA.evict(1L));
				await().atMost(Duration.ofSeconds(5))
					.untilAsserted(() -> assertThat(cacheB.get(1L)).as("B after A's lost eviction").isNull());
			}));
		}
	}

	@Test
	void aReplayedDeleteNeverRemovesANewerWriteOfTheSameKey() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			ApplicationContextRunner runner = runner(redis.port());
			runner.run((a) -> runner.run((b) -> {
				TieredCache cacheA = a.getBean(TieredCacheManager.class).getCache("users");
				TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("users");
				cacheA.put(1L, "v1");
				loseNextWrites(redis, () -> cacheA.put(1L, "v2"));
				// B's write lands after A's lost one: whatever A replays must leave it.
				cacheB.put(1L, "v3");
				await().atMost(Duration.ofSeconds(5))
					.until(() -> a.getBean(TieredCacheManager.class).pendingInvalidations() == 0);
				cacheA.clearLocal();
				cacheB.clearLocal();
				assertThat(cacheA.get(1L, String.class)).isEqualTo("v3");
				assertThat(cacheB.get(1L, String.class)).isEqualTo("v3");
			}));
		}
	}

	/**
	 * Pauses Redis's writes, runs the change (whose commands time out), kills every normal
	 * connection so that the buffered commands never run, and resumes Redis.
	 */
	static void loseNextWrites(RedisServerProcess redis, Runnable change) throws Exception {
		redis.cli("CLIENT", "PAUSE", "10000", "WRITE");
		try {
			change.run();
			redis.cli("CLIENT", "KILL", "TYPE", "normal");
		}
		finally {
			redis.cli("CLIENT", "UNPAUSE");
		}
	}

}
