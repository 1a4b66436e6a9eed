package dev.tieredcache.coherence;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.TieredCacheOperations;
import dev.tieredcache.cache.ReadRequest;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.CoordinationStatistics.InvalidationKind;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.RedisServerProcess;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A version that cannot be read (issue 11, case 5) is never guessed: the call treats
 * Redis as unavailable instead of reading it as 0.
 */
class UnknownVersionTests {

	@Test
	void anEntryWhoseTagVersionCannotBeReadIsNotServed() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			ApplicationContextRunner runner = Instances.runner(redis.port(), TestRedis.uniquePrefix("unknown"))
				.withPropertyValues("tiered-cache.redis.command-timeout=200ms",
						"tiered-cache.redis.circuit-failure-threshold=100");
			runner.run((a) -> runner.run((b) -> {
				TieredCacheManager managerA = a.getBean(TieredCacheManager.class);
				TieredCache cacheA = managerA.getCache("users");
				TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("users");
				String[] tags = { "team" };
				assertThat(read(cacheB, tags, "old")).isEqualTo("old");
				// A knows the cache's epoch (it has used the cache) but not the tag's version.
				cacheA.get(2L, () -> "other");
				b.getBean(TieredCacheOperations.class).invalidateTags("team");
				await().atMost(Duration.ofSeconds(5)).until(
						() -> managerA.getCoordinationStatistics().invalidations(InvalidationKind.TAG, true) == 1);
				// A has forgotten the tag's version (as after a reconnection) and cannot read it:
				// scripts are blocked while plain reads still go through.
				managerA.getServices().tags().reset();
				redis.cli("CLIENT", "PAUSE", "5000", "WRITE");
				try {
					assertThat(read(cacheA, tags, "new")).as("the invalidated entry is not served").isEqualTo("new");
				}
				finally {
					redis.cli("CLIENT", "UNPAUSE");
				}
			}));
		}
	}

	private static Object read(TieredCache cache, String[] tags, String loaded) throws Exception {
		try {
			return cache.readThrough(ReadRequest.of("1", tags, () -> loaded, null, null));
		}
		catch (Exception | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

}
