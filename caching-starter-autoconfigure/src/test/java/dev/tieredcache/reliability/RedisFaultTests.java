package dev.tieredcache.reliability;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.TieredCacheOperations;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.InvalidationSubscription;
import dev.tieredcache.redis.RedisCommandExecutor;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.RedisServerProcess;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Faults of a real {@code redis-server} started by the test: a dropped subscription, a
 * frozen server, a server that comes back empty.
 */
class RedisFaultTests {

	private static ApplicationContextRunner runner(int port) {
		return Instances.runner(port, TestRedis.uniquePrefix("faults"))
			.withPropertyValues("tiered-cache.redis.command-timeout=200ms", "tiered-cache.redis.circuit-failure-threshold=3",
					"tiered-cache.redis.circuit-open-duration=500ms");
	}

	@Test
	void aDroppedSubscriptionClearsL1AndInvalidationsWorkAgainAfterReconnect() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			ApplicationContextRunner runner = runner(redis.port());
			runner.run((a) -> runner.run((b) -> {
				TieredCache cacheA = a.getBean(TieredCacheManager.class).getCache("users");
				TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("users");
				cacheA.put(1L, "alice");
				// The put's own invalidation message may still be on its way and veto B's first fill.
				await().atMost(Duration.ofSeconds(1)).until(() -> "alice".equals(cacheB.get(1L, String.class))
						&& cacheB.getLocalSize() == 1);
				assertThat(redis.cli("CLIENT", "KILL", "TYPE", "pubsub")).isNotEqualTo("0");
				await().atMost(Duration.ofSeconds(5)).until(() -> cacheB.getLocalSize() == 0);
				await().atMost(Duration.ofSeconds(5))
					.until(() -> b.getBean(InvalidationSubscription.class).isListening()
							&& redis.cli("PUBSUB", "NUMSUB", redisChannel(b)).endsWith("2"));
				assertThat(cacheB.get(1L, String.class)).isEqualTo("alice");
				cacheA.put(1L, "alicia");
				await().atMost(Duration.ofSeconds(1)).until(() -> "alicia".equals(cacheB.get(1L, String.class)));
			}));
		}
	}

	@Test
	void aFrozenRedisCostsCallersAtMostTheCommandTimeoutAndNothingOnceTheCircuitOpens() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			runner(redis.port()).run((context) -> {
				TieredCache cache = context.getBean(TieredCacheManager.class).getCache("users");
				RedisCommandExecutor executor = context.getBean(RedisCommandExecutor.class);
				AtomicInteger loads = new AtomicInteger();
				cache.get(0L, () -> "warm-up");
				redis.pause();
				try {
					for (long i = 1; i <= 3; i++) {
						long key = i;
						long millis = timed(() -> cache.get(key, () -> slowLoad(loads)));
						// One command timeout (200 ms) plus the 50 ms load, with room for a busy machine.
						assertThat(millis).as("call %d while the circuit is closed", key).isLessThan(1000);
					}
					assertThat(executor.circuit().isOpen()).isTrue();
					for (long i = 4; i <= 8; i++) {
						long key = i;
						long millis = timed(() -> cache.get(key, () -> slowLoad(loads)));
						assertThat(millis).as("call %d with the circuit open", key).isLessThan(200);
					}
					assertThat(loads).hasValue(8);
				}
				finally {
					redis.resume();
				}
				await().atMost(Duration.ofSeconds(20)).until(() -> !executor.circuit().isOpen());
			});
		}
	}

	@Test
	void aRedisRestartedEmptyServesNothingStaleAndVersionsDoNotGoBack() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			runner(redis.port()).run((context) -> {
				TieredCache cache = context.getBean(TieredCacheManager.class).getCache("users");
				TieredCacheOperations operations = context.getBean(TieredCacheOperations.class);
				RedisCommandExecutor executor = context.getBean(RedisCommandExecutor.class);
				operations.bumpVersion("team:1");
				long before = operations.bumpVersion("team:1");
				cache.put(1L, "old");
				redis.kill();
				redis.restart();
				// Whether the circuit opened or not depends on how quickly Redis came back; either
				// its closing or the subscription's return drops what this instance held.
				await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
					cache.get(99L);
					assertThat(executor.circuit().isOpen()).isFalse();
					assertThat(cache.get(1L)).as("nothing survives in L1 or L2").isNull();
					assertThat(operations.currentVersion("team:1")).as("a lost version comes back larger")
						.isGreaterThan(before);
				});
			});
		}
	}

	@Test
	void invalidationsMadeWhileRedisIsFrozenAreAppliedWhenItAnswersAgain() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			ApplicationContextRunner runner = runner(redis.port());
			runner.run((a) -> runner.run((b) -> {
				TieredCache cacheA = a.getBean(TieredCacheManager.class).getCache("users");
				TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("users");
				TieredCacheOperations operationsA = a.getBean(TieredCacheOperations.class);
				RedisCommandExecutor executorA = a.getBean(RedisCommandExecutor.class);
				cacheA.put(1L, "old");
				String tagged = (String) cacheB.readThrough(dev.tieredcache.cache.ReadRequest.of("2",
						new String[] { "team:7" }, () -> "tagged-old", null, null));
				assertThat(tagged).isEqualTo("tagged-old");
				redis.pause();
				try {
					for (int i = 0; i < 3; i++) {
						cacheA.evict(1L);
					}
					operationsA.invalidateTags("team:7");
					assertThat(executorA.circuit().isOpen()).isTrue();
				}
				finally {
					redis.resume();
				}
				await().atMost(Duration.ofSeconds(20)).until(() -> !executorA.circuit().isOpen());
				await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
					cacheB.clearLocal();
					assertThat(cacheB.get(1L)).as("the eviction reached Redis").isNull();
					Object reloaded = cacheB.readThrough(dev.tieredcache.cache.ReadRequest.of("2",
							new String[] { "team:7" }, () -> "tagged-new", null, null));
					assertThat(reloaded).as("the tag invalidation reached Redis").isEqualTo("tagged-new");
				});
			}));
		}
	}

	private static String redisChannel(org.springframework.context.ApplicationContext context) {
		return context.getEnvironment().getProperty("tiered-cache.key-prefix") + "invalidation";
	}

	private static String slowLoad(AtomicInteger loads) throws InterruptedException {
		loads.incrementAndGet();
		TimeUnit.MILLISECONDS.sleep(50);
		return "loaded";
	}

	private static long timed(Runnable call) {
		long started = System.nanoTime();
		call.run();
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
	}

}
