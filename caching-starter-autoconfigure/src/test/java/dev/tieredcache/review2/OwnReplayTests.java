package dev.tieredcache.review2;

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
 * A change whose command is lost is repaired in the background while the circuit stays
 * closed (docs/how-it-works.md: "one write/eviction command is lost ... retried until it lands", bound
 * {@code repair-interval + command-timeout}). The repair's message is published under the
 * instance's own id, which its own subscriber ignores; and the periodic replay, unlike the
 * one after an outage, does not drop the instance's own L1. So whatever the instance that
 * issued the change re-read from Redis before the repair landed stays in its L1 until
 * {@code local.ttl}.
 */
class OwnReplayTests {

	private static ApplicationContextRunner runner(int port, String prefix) {
		return Instances.runner(port, prefix)
			.withPropertyValues("tiered-cache.redis.command-timeout=300ms",
					"tiered-cache.redis.circuit-failure-threshold=10", "tiered-cache.redis.repair-interval=2s",
					"tiered-cache.defaults.local.ttl=5m", "tiered-cache.defaults.ttl=10m");
	}

	/**
	 * A evicts key 1 after its database row changed; the eviction's command is lost (the
	 * circuit stays closed). A reads key 1 again before the repair: Redis still holds the old
	 * value, which A's L1 takes (stale, but within the bound). The repair then deletes it in
	 * Redis and B drops it, but A keeps serving it.
	 */
	@Test
	void aRepairedEvictionAlsoDropsWhatTheEvictingInstanceReReadBeforeTheRepair() throws Exception {
		String prefix = TestRedis.uniquePrefix("own-evict");
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			ApplicationContextRunner runner = runner(redis.port(), prefix);
			runner.run((a) -> runner.run((b) -> {
				TieredCacheManager managerA = a.getBean(TieredCacheManager.class);
				TieredCache cacheA = managerA.getCache("users");
				TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("users");
				cacheA.put(1L, "v1");
				await().atMost(Duration.ofSeconds(2)).until(() -> "v1".equals(cacheB.get(1L, String.class)));

				loseNextWrites(redis, () -> cacheA.evict(1L));
				assertThat(managerA.pendingInvalidations()).isEqualTo(1);
				assertThat(a.getBean(RedisCommandExecutor.class).circuit().isOpen()).isFalse();
				// Before the repair, A reads the key: Redis still has the old value.
				await().atMost(Duration.ofSeconds(1)).until(() -> "v1".equals(cacheA.get(1L, String.class)));

				await().atMost(Duration.ofSeconds(5)).until(() -> managerA.pendingInvalidations() == 0);
				assertThat(redis.cli("STRLEN", prefix + "c:{users@1}")).as("the repair left a tombstone")
					.isEqualTo("17");
				await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(cacheB.get(1L)).as("B").isNull());
				await("A serves the evicted value no longer than the repair's bound")
					.atMost(Duration.ofSeconds(3))
					.untilAsserted(() -> assertThat(cacheA.get(1L, String.class)).as("A").isNotEqualTo("v1"));
			}));
		}
	}

	/**
	 * Same with {@code clear()}: the epoch bump is lost; A re-reads key 1 from Redis (an
	 * entry of the epoch A still believes current); the repair bumps the epoch and every
	 * other instance clears its L1, but A's L1 is never checked against the epoch.
	 */
	@Test
	void aRepairedClearAlsoDropsWhatTheClearingInstanceReReadBeforeTheRepair() throws Exception {
		String prefix = TestRedis.uniquePrefix("own-clear");
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			ApplicationContextRunner runner = runner(redis.port(), prefix);
			runner.run((a) -> runner.run((b) -> {
				TieredCacheManager managerA = a.getBean(TieredCacheManager.class);
				TieredCache cacheA = managerA.getCache("users");
				TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("users");
				cacheA.put(1L, "v1");
				await().atMost(Duration.ofSeconds(2)).until(() -> "v1".equals(cacheB.get(1L, String.class)));

				loseNextWrites(redis, cacheA::clear);
				assertThat(managerA.pendingInvalidations()).isEqualTo(1);
				assertThat(a.getBean(RedisCommandExecutor.class).circuit().isOpen()).isFalse();
				await().atMost(Duration.ofSeconds(1)).until(() -> "v1".equals(cacheA.get(1L, String.class)));

				await().atMost(Duration.ofSeconds(5)).until(() -> managerA.pendingInvalidations() == 0);
				await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(cacheB.get(1L)).as("B").isNull());
				await("A serves the cleared value no longer than the repair's bound")
					.atMost(Duration.ofSeconds(3))
					.untilAsserted(() -> assertThat(cacheA.get(1L, String.class)).as("A").isNotEqualTo("v1"));
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
