package dev.tieredcache.review2;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.CircuitBreaker;
import dev.tieredcache.redis.RedisCommandExecutor;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.RedisServerProcess;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * docs/how-it-works.md: "Redis down or frozen: ... changes made meanwhile are replayed before the circuit
 * closes, then L1 is cleared". {@code RedisCommandExecutor.probe} closes the circuit once
 * PING answers, whether or not the replay landed. With Redis refusing writes while it
 * answers PING and reads ({@code CLIENT PAUSE WRITE}, as during {@code FAILOVER} or a
 * cluster manual failover), the circuit closes with the eviction still pending, and reads
 * go to a Redis that still holds the evicted value. (What the instance then re-reads into
 * its own L1 outlives the late replay: see {@link OwnReplayTests}.)
 */
class ReconnectOrderTests {

	@Test
	void theCircuitClosesOnlyOnceTheChangesMadeDuringTheOutageHaveLanded() throws Exception {
		String prefix = TestRedis.uniquePrefix("reconnect-order");
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			ApplicationContextRunner runner = Instances.runner(redis.port(), prefix)
				.withPropertyValues("tiered-cache.redis.command-timeout=300ms",
						"tiered-cache.redis.circuit-failure-threshold=3",
						"tiered-cache.redis.circuit-open-duration=1s", "tiered-cache.defaults.local.ttl=5m",
						"tiered-cache.defaults.ttl=10m");
			runner.run((a) -> {
				TieredCacheManager manager = a.getBean(TieredCacheManager.class);
				TieredCache cache = manager.getCache("users");
				CircuitBreaker circuit = a.getBean(RedisCommandExecutor.class).circuit();
				cache.put(1L, "v1");

				redis.cli("CLIENT", "PAUSE", "20000", "WRITE");
				try {
					cache.evict(1L);
					cache.put(2L, "x");
					cache.put(3L, "y");
					await().atMost(Duration.ofSeconds(3)).until(circuit::isOpen);
					// The buffered commands never run.
					redis.cli("CLIENT", "KILL", "TYPE", "normal");
					assertThat(manager.pendingInvalidations()).isEqualTo(3);
					// PING answers, but the replay cannot land: the circuit must stay open.
					await("the circuit stays open while the replay cannot land").during(Duration.ofSeconds(3))
						.atMost(Duration.ofSeconds(4))
						.until(circuit::isOpen);
				}
				finally {
					redis.cli("CLIENT", "UNPAUSE");
				}
				await().atMost(Duration.ofSeconds(10)).until(() -> !circuit.isOpen());
				int pendingWhenClosed = manager.pendingInvalidations();
				assertThat(pendingWhenClosed).as("changes still pending when the circuit closed").isZero();
			});
		}
	}

}
