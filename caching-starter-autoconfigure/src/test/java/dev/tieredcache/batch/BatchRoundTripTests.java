package dev.tieredcache.batch;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.RedisMonitor;
import dev.tieredcache.test.RedisServerProcess;
import dev.tieredcache.test.TestRedis;

import static dev.tieredcache.batch.BatchReadThroughTests.cache;
import static dev.tieredcache.batch.BatchReadThroughTests.range;
import static dev.tieredcache.batch.BatchReadThroughTests.values;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis round trips a batch costs, counted as the commands clients send to a
 * {@code redis-server} of this test's own ({@link RedisMonitor}), and what a batch does
 * when that server dies.
 */
class BatchRoundTripTests {

	private static RedisServerProcess redis;

	private final String prefix = TestRedis.uniquePrefix("batch-round-trips");

	@BeforeAll
	static void startRedis() throws Exception {
		redis = RedisServerProcess.start();
	}

	@AfterAll
	static void stopRedis() throws Exception {
		if (redis != null) {
			redis.close();
		}
	}

	private ApplicationContextRunner runner() {
		// No heartbeats or repairs during the counted calls.
		return Instances.runner(redis.port(), this.prefix).withPropertyValues("tiered-cache.redis.repair-interval=1h");
	}

	@Test
	void aHundredKeysInRedisCostOneMgetAndAHundredWithThirtyMissingOneMgetAndTwoScripts() {
		runner().run((a) -> runner().run((b) -> {
			RedisMonitor monitor = new RedisMonitor(redis.port());
			List<Long> ids = range(1, 100);
			List<Long> present = ids.stream().filter((id) -> id % 10 >= 3).toList();
			TieredCache cacheA = cache(a, "products");
			TieredCache cacheB = cache(b, "products");
			cacheA.getAll(present, BatchReadThroughTests::values);
			cacheB.getAll(List.of(1000L), BatchReadThroughTests::values);

			monitor.take();
			assertThat(cacheB.getAll(present)).hasSize(70);
			Map<String, Long> allInRedis = monitor.take();
			assertThat(allInRedis).as("70 keys, all in Redis").containsExactlyEntriesOf(Map.of("mget", 1L));

			int[] loaderCalls = new int[1];
			assertThat(cache(a, "products").getAll(ids, (missing) -> {
				loaderCalls[0]++;
				assertThat(missing).hasSize(30);
				return values(missing);
			})).hasSize(100);
			Map<String, Long> thirtyMissing = monitor.take();
			assertThat(thirtyMissing).as("100 keys, 70 in L1, 30 missing everywhere")
				.containsExactlyInAnyOrderEntriesOf(Map.of("mget", 1L, "evalsha", 2L));
			assertThat(loaderCalls[0]).isEqualTo(1);

			for (long id : ids) {
				cache(b, "single").get(id, () -> "product");
			}
			Map<String, Long> single = monitor.take();
			System.out.printf("Redis commands for 100 keys: batch, all in Redis %s; batch, 30 missing %s; "
					+ "100 single reads, all missing %s%n", allInRedis, thirtyMissing, single);
			assertThat(single.values().stream().mapToLong(Long::longValue).sum())
				.as("100 single misses cost at least a read, a lock and a fill each")
				.isGreaterThanOrEqualTo(300);
			monitor.close();
		}));
	}

	@Test
	void whenRedisIsDownTheKeysL1DoesNotHoldAreLoadedInOneCall() throws Exception {
		try (RedisServerProcess own = RedisServerProcess.start()) {
			ApplicationContextRunner runner = Instances.runner(own.port(), this.prefix)
				.withPropertyValues("tiered-cache.redis.command-timeout=300ms");
			runner.run((a) -> {
				TieredCache cache = cache(a, "users");
				cache.getAll(List.of(1L, 2L), BatchReadThroughTests::values);
				own.kill();
				BatchReadThroughTests.RecordingLoader loader = new BatchReadThroughTests.RecordingLoader(
						(id) -> "user " + id);
				assertThat(cache.getAll(List.of(1L, 2L, 3L, 4L), loader)).isEqualTo(values(range(1, 4)));
				assertThat(loader.calls).containsExactly(List.of(3L, 4L));
				assertThat(cache.getAll(List.of(1L, 2L, 3L, 4L), loader)).as("L1 keeps what was loaded")
					.isEqualTo(values(range(1, 4)));
				assertThat(loader.calls).hasSize(1);
			});
		}
	}

}
