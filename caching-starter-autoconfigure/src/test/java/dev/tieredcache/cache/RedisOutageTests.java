package dev.tieredcache.cache;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.redis.InvalidationSubscription;
import dev.tieredcache.redis.RedisCommandExecutor;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.RedisServerProcess;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis going away and coming back, on a {@code redis-server} of the test's own: callers
 * never see an error, and caching resumes by itself with a cleared L1.
 */
class RedisOutageTests {

	private static ApplicationContextRunner runner(int port) {
		return Instances.runner(port, TestRedis.uniquePrefix("outage"))
			.withPropertyValues("tiered-cache.redis.command-timeout=200ms",
					"tiered-cache.redis.circuit-open-duration=300ms");
	}

	@Test
	void callsKeepSucceedingWhileRedisIsDownAndCachingResumesWithAClearedL1() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			runner(redis.port()).run((context) -> {
				TieredCache cache = context.getBean(TieredCacheManager.class).getCache("users");
				RedisCommandExecutor executor = context.getBean(RedisCommandExecutor.class);
				AtomicInteger loads = new AtomicInteger();
				assertThat(cache.get(1L, () -> "v" + loads.incrementAndGet())).isEqualTo("v1");
				redis.kill();
				for (int i = 0; i < 20; i++) {
					assertThat(cache.get(2L, () -> "w" + loads.incrementAndGet())).startsWith("w");
					cache.put(3L, "written while down");
					cache.evict(4L);
				}
				assertThat(executor.circuit().isOpen()).isTrue();
				assertThat(cache.get(1L, String.class)).as("L1 still serves").isEqualTo("v1");
				redis.restart();
				await().atMost(Duration.ofSeconds(20)).until(() -> !executor.circuit().isOpen());
				assertThat(cache.getLocalSize()).as("L1 cleared on reconnect").isZero();
				int before = loads.get();
				assertThat(cache.get(5L, () -> "x" + loads.incrementAndGet())).isEqualTo("x" + (before + 1));
				assertThat(cache.get(5L, () -> "x" + loads.incrementAndGet())).isEqualTo("x" + (before + 1));
				cache.clearLocal();
				assertThat(cache.get(5L, String.class)).as("stored in Redis again").isEqualTo("x" + (before + 1));
			});
		}
	}

	@Test
	void theApplicationStartsWithRedisUnreachableAndConnectsWhenItComesUp() throws Exception {
		int port = RedisServerProcess.freePort();
		ApplicationContextRunner runner = runner(port);
		runner.run((context) -> {
			assertThat(context).hasNotFailed();
			TieredCache cache = context.getBean(TieredCacheManager.class).getCache("users");
			RedisCommandExecutor executor = context.getBean(RedisCommandExecutor.class);
			assertThat(executor.circuit().isOpen()).isTrue();
			assertThat(cache.get(1L, () -> "loaded without redis")).isEqualTo("loaded without redis");
			try (RedisServerProcess redis = RedisServerProcess.startOn(port)) {
				await().atMost(Duration.ofSeconds(20)).until(() -> !executor.circuit().isOpen());
				InvalidationSubscription subscription = context.getBean(InvalidationSubscription.class);
				await().atMost(Duration.ofSeconds(5)).until(subscription::isListening);
				runner.run((other) -> {
					cache.put(2L, "mine");
					TieredCache otherCache = other.getBean(TieredCacheManager.class).getCache("users");
					assertThat(otherCache.get(2L, String.class)).isEqualTo("mine");
					otherCache.put(2L, "theirs");
					await().atMost(Duration.ofSeconds(1)).until(() -> "theirs".equals(cache.get(2L, String.class)));
				});
			}
		});
	}

}
