package dev.tieredcache.cache;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.Cache;

import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances sharing the real Redis on 6379: what one writes, the other reads, and never
 * from a stale L1 for long.
 */
class TieredCacheTwoInstancesTests {

	private final String prefix = TestRedis.uniquePrefix("two-instances");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, this.prefix);

	@Test
	void putOnOneInstanceIsReadFromRedisByTheOther() {
		this.runner.run((a) -> this.runner.run((b) -> {
			Cache cacheA = a.getBean(TieredCacheManager.class).getCache("users");
			Cache cacheB = b.getBean(TieredCacheManager.class).getCache("users");
			cacheA.put(1L, "alice");
			assertThat(cacheB.get(1L)).isNotNull().extracting(Cache.ValueWrapper::get).isEqualTo("alice");
			TieredCache tiered = (TieredCache) cacheB;
			assertThat(tiered.getStatistics().hits(CacheStatistics.Tier.L2)).isEqualTo(1);
		}));
	}

	@Test
	void putOnOneInstanceIsNotServedStaleFromTheOthersL1() {
		this.runner.run((a) -> this.runner.run((b) -> {
			Cache cacheA = a.getBean(TieredCacheManager.class).getCache("users");
			Cache cacheB = b.getBean(TieredCacheManager.class).getCache("users");
			cacheA.put(1L, "alice");
			assertThat(cacheB.get(1L, String.class)).isEqualTo("alice");
			assertThat(cacheB.get(1L, String.class)).isEqualTo("alice");
			cacheA.put(1L, "alicia");
			await().atMost(Duration.ofSeconds(1)).until(() -> "alicia".equals(cacheB.get(1L, String.class)));
		}));
	}

	@Test
	void evictOnOneInstanceRemovesTheKeyFromTheOthersL1() {
		this.runner.run((a) -> this.runner.run((b) -> {
			Cache cacheA = a.getBean(TieredCacheManager.class).getCache("users");
			Cache cacheB = b.getBean(TieredCacheManager.class).getCache("users");
			cacheA.put(2L, "bob");
			assertThat(cacheB.get(2L, String.class)).isEqualTo("bob");
			cacheA.evict(2L);
			await().atMost(Duration.ofSeconds(1)).until(() -> cacheB.get(2L) == null);
		}));
	}

	@Test
	void clearOnOneInstanceEmptiesTheCacheEverywhere() {
		this.runner.run((a) -> this.runner.run((b) -> {
			Cache cacheA = a.getBean(TieredCacheManager.class).getCache("users");
			Cache cacheB = b.getBean(TieredCacheManager.class).getCache("users");
			cacheA.put(3L, "carol");
			assertThat(cacheB.get(3L, String.class)).isEqualTo("carol");
			cacheA.clear();
			assertThat(cacheA.get(3L)).isNull();
			await().atMost(Duration.ofSeconds(1)).until(() -> cacheB.get(3L) == null);
		}));
	}

	@Test
	void valueLoaderRunsOnceForAKeyAcrossInstances() {
		this.runner.run((a) -> this.runner.run((b) -> {
			Cache cacheA = a.getBean(TieredCacheManager.class).getCache("users");
			Cache cacheB = b.getBean(TieredCacheManager.class).getCache("users");
			AtomicInteger loads = new AtomicInteger();
			assertThat(cacheA.get(4L, () -> "dave-" + loads.incrementAndGet())).isEqualTo("dave-1");
			assertThat(cacheB.get(4L, () -> "dave-" + loads.incrementAndGet())).isEqualTo("dave-1");
			assertThat(loads).hasValue(1);
		}));
	}

	@Test
	void garbageInRedisIsAMissAndTheLoaderRuns() {
		this.runner.run((a) -> {
			TieredCache cache = a.getBean(TieredCacheManager.class).getCache("users");
			cache.put(5L, "erin");
			try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
				byte[] key = redisValueKey(cache, "5");
				assertThat(redis.commands().exists(key)).isEqualTo(1);
				redis.commands().set(key, "this is not a tiered-cache entry at all".getBytes());
			}
			cache.clearLocal();
			assertThat(cache.get(5L)).isNull();
			assertThat(cache.get(5L, () -> "erin-reloaded")).isEqualTo("erin-reloaded");
			assertThat(cache.getStatistics().unreadableValues()).isEqualTo(2);
		});
	}

	private byte[] redisValueKey(TieredCache cache, String key) {
		return (this.prefix + "c:{" + cache.getName() + "@" + key + "}").getBytes();
	}

}
