package dev.tieredcache.cache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.Cache;

import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@link TieredCache} honours the whole Spring {@link Cache} contract against real Redis.
 */
class TieredCacheContractTests {

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT,
			TestRedis.uniquePrefix("contract"));

	@Test
	void typedGetChecksTheType() {
		this.runner.run((context) -> {
			TieredCache cache = context.getBean(TieredCacheManager.class).getCache("contract");
			cache.put("k", 42L);
			assertThat(cache.get("k", Long.class)).isEqualTo(42L);
			assertThatIllegalStateException().isThrownBy(() -> cache.get("k", String.class))
				.withMessageContaining("'contract'");
		});
	}

	@Test
	void putIfAbsentKeepsThePresentValue() {
		this.runner.run((a) -> this.runner.run((b) -> {
			TieredCache cacheA = a.getBean(TieredCacheManager.class).getCache("contract");
			TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("contract");
			assertThat(cacheA.putIfAbsent("k", "first")).isNull();
			Cache.ValueWrapper present = cacheB.putIfAbsent("k", "second");
			assertThat(present).isNotNull().extracting(Cache.ValueWrapper::get).isEqualTo("first");
			assertThat(cacheB.get("k", String.class)).isEqualTo("first");
		}));
	}

	@Test
	void putIfAbsentTreatsATagInvalidatedEntryAsAbsent() {
		this.runner.run((context) -> {
			TieredCache cache = context.getBean(TieredCacheManager.class).getCache("contract");
			cache.write(TieredCache.encodeKey("k"), "old", new String[] { "t" });
			context.getBean(dev.tieredcache.TieredCacheOperations.class).invalidateTags("t");
			assertThat(cache.putIfAbsent("k", "new")).isNull();
			cache.clearLocal();
			assertThat(cache.get("k", String.class)).isEqualTo("new");
		});
	}

	@Test
	void puttingSpringsNullMarkerStoresANull() {
		this.runner.run((context) -> {
			TieredCache cache = context.getBean(TieredCacheManager.class).getCache("contract");
			cache.put("k", org.springframework.cache.support.NullValue.INSTANCE);
			cache.clearLocal();
			Cache.ValueWrapper wrapper = cache.get("k");
			assertThat(wrapper).isNotNull();
			assertThat(wrapper.get()).isNull();
		});
	}

	@Test
	void l1NeverOutlivesTheLocalTtl() {
		this.runner.withPropertyValues("tiered-cache.caches.contract.local.ttl=10s", "tiered-cache.caches.contract.jitter=0.9")
			.run((context) -> {
				TieredCache cache = context.getBean(TieredCacheManager.class).getCache("contract");
				@SuppressWarnings("unchecked")
				com.github.benmanes.caffeine.cache.Cache<String, CacheEntry> local = (com.github.benmanes.caffeine.cache.Cache<String, CacheEntry>) cache
					.getNativeCache();
				assertThat(local.policy().expireAfterWrite().orElseThrow().getExpiresAfter())
					.isEqualTo(java.time.Duration.ofSeconds(10));
			});
	}

	@Test
	void l1NeverServesAnEntryPastItsRedisFreshness() {
		// B reads the entry from Redis when half its freshness is gone: L1's own TTL would keep
		// it a second past the end of that freshness.
		this.runner.withPropertyValues("tiered-cache.caches.contract.ttl=2s", "tiered-cache.caches.contract.local.ttl=2s",
				"tiered-cache.caches.contract.jitter=0")
			.run((a) -> this.runner.withPropertyValues("tiered-cache.caches.contract.ttl=2s",
					"tiered-cache.caches.contract.local.ttl=2s", "tiered-cache.caches.contract.jitter=0")
				.run((b) -> {
					TieredCache cacheA = a.getBean(TieredCacheManager.class).getCache("contract");
					TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("contract");
					String key = TieredCache.encodeKey("k");
					cacheA.put("k", "v");
					CacheEntry written = (CacheEntry) cacheA.peekLocal(key);
					assertThat(written).isNotNull();
					org.awaitility.Awaitility.await()
						.atMost(java.time.Duration.ofSeconds(5))
						.until(() -> System.currentTimeMillis() >= written.writtenAt() + 1000);
					assertThat(cacheB.get("k", String.class)).isEqualTo("v");
					assertThat(cacheB.peekLocal(key)).isNotNull();
					org.awaitility.Awaitility.await()
						.atMost(java.time.Duration.ofSeconds(5))
						.until(() -> System.currentTimeMillis() >= written.expiresAt());
					assertThat(cacheB.peekLocal(key)).isNull();
				}));
	}

	@Test
	void aRetrieveAfterShutdownFailsItsFutureInsteadOfLeavingItPending() {
		this.runner.run((context) -> {
			TieredCache cache = context.getBean(TieredCacheManager.class).getCache("contract");
			context.getBean(dev.tieredcache.autoconfigure.TieredCacheExecutors.class).destroy();
			java.util.concurrent.CompletableFuture<String> future = cache.retrieve("k",
					() -> java.util.concurrent.CompletableFuture.completedFuture("v"));
			org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(future::isDone);
			assertThat(future).isCompletedExceptionally();
		});
	}

	@Test
	void evictIfPresentTellsWhetherTheKeyWasThere() {
		this.runner.run((context) -> {
			TieredCache cache = context.getBean(TieredCacheManager.class).getCache("contract");
			cache.put("k", "v");
			assertThat(cache.evictIfPresent("k")).isTrue();
			assertThat(cache.evictIfPresent("k")).isFalse();
			assertThat(cache.get("k")).isNull();
		});
	}

	@Test
	void invalidateEmptiesTheCache() {
		this.runner.run((context) -> {
			TieredCache cache = context.getBean(TieredCacheManager.class).getCache("contract");
			cache.put("a", "1");
			cache.put("b", "2");
			assertThat(cache.invalidate()).isTrue();
			assertThat(cache.get("a")).isNull();
			assertThat(cache.get("b")).isNull();
		});
	}

	@Test
	void nullValuesAreCachedAsNullsForTheNullTtl() {
		this.runner.run((context) -> {
			TieredCache cache = context.getBean(TieredCacheManager.class).getCache("contract");
			cache.put("nothing", null);
			Cache.ValueWrapper wrapper = cache.get("nothing");
			assertThat(wrapper).isNotNull();
			assertThat(wrapper.get()).isNull();
		});
		this.runner.withPropertyValues("tiered-cache.caches.strict.null-ttl=0s").run((context) -> {
			TieredCache cache = context.getBean(TieredCacheManager.class).getCache("strict");
			cache.put("nothing", null);
			assertThat(cache.get("nothing")).isNull();
		});
	}

	@Test
	void valueLoaderFailuresAreWrapped() {
		this.runner.run((context) -> {
			TieredCache cache = context.getBean(TieredCacheManager.class).getCache("contract");
			assertThatExceptionOfType(Cache.ValueRetrievalException.class)
				.isThrownBy(() -> cache.get("boom", () -> {
					throw new IllegalStateException("source down");
				}))
				.withRootCauseInstanceOf(IllegalStateException.class);
		});
	}

	@Test
	void retrieveReturnsAWrapperForAHitAndNullForAMiss() {
		this.runner.run((context) -> {
			TieredCache cache = context.getBean(TieredCacheManager.class).getCache("contract");
			assertThat(cache.retrieve("absent").join()).isNull();
			cache.put("present", "v");
			cache.clearLocal();
			Object hit = cache.retrieve("present").join();
			assertThat(hit).isInstanceOf(Cache.ValueWrapper.class);
			assertThat(((Cache.ValueWrapper) hit).get()).isEqualTo("v");
		});
	}

	@Test
	void retrieveWithALoaderLoadsOnceForConcurrentCallers() {
		this.runner.run((context) -> {
			TieredCache cache = context.getBean(TieredCacheManager.class).getCache("contract");
			AtomicInteger loads = new AtomicInteger();
			CompletableFuture<String> slow = new CompletableFuture<>();
			CompletableFuture<String> first = cache.retrieve("async", () -> {
				loads.incrementAndGet();
				return slow;
			});
			org.awaitility.Awaitility.await().until(() -> loads.get() == 1);
			CompletableFuture<String> second = cache.retrieve("async", () -> {
				loads.incrementAndGet();
				return CompletableFuture.completedFuture("other");
			});
			slow.complete("value");
			assertThat(first.join()).isEqualTo("value");
			assertThat(second.join()).isEqualTo("value");
			assertThat(loads).hasValue(1);
			assertThat(cache.get("async", String.class)).isEqualTo("value");
		});
	}

}
