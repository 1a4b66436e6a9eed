package dev.tieredcache.cache;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.autoconfigure.TieredCacheAutoConfiguration;
import dev.tieredcache.cache.CacheStatistics.EvictionCause;
import dev.tieredcache.cache.CacheStatistics.Tier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * L1's expiry: a fixed {@code local.ttl} in front of Redis, with a clock check for entries
 * whose freshness ends sooner; a per-entry, jittered expiry when L1 is the only tier. The
 * cases an adversarial review (review7) proved against the first version of the fixed
 * expiry.
 */
class LocalTierExpiryTests {

	private static CacheSettings settings(Duration localTtl, long maximumSize) {
		CacheSettings d = CacheSettings.DEFAULTS;
		return new CacheSettings(d.ttl(), 0.0, d.nullTtl(), d.staleWhileRevalidate(), d.maxValueSize(), true,
				localTtl, maximumSize, d.stampedeEnabled(), d.lease(), d.waitTimeout(), d.earlyRefreshBeta(),
				d.compressionThreshold(), d.staleIfError(), d.staleIfErrorBackoff(), d.hotKeysTop(),
				d.hotKeysSampleRate(), d.hotKeysTracked(), null, d.audit());
	}

	private static CacheEntry entry(long now, long freshMillis) {
		return new CacheEntry("v", now, now + freshMillis, now + freshMillis, 0, CacheEntry.NO_TAGS,
				CacheEntry.NO_VERSIONS, 0);
	}

	private static void awaitWallClock(long at) {
		Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
			.until(() -> System.currentTimeMillis() >= at);
	}

	/**
	 * The thread that stores an entry is paused (GC, preemption) right after LocalTier reads
	 * the clock and before Caffeine stamps the write: the entry, whose Redis freshness ends
	 * exactly local.ttl after the clock read, needs no check by that reading, yet Caffeine
	 * keeps it local.ttl after the later put. The pause is injected by the clock (once, only
	 * for a call made from LocalTier).
	 */
	@Test
	void aPauseBetweenTheClockReadAndThePutDoesNotLetL1ServeAnEntryPastItsFreshness() {
		AtomicBoolean stall = new AtomicBoolean();
		java.util.function.LongSupplier clock = () -> {
			long t = System.currentTimeMillis();
			if (stall.get() && StackWalker.getInstance()
				.walk((s) -> s.anyMatch((f) -> f.getClassName().startsWith(LocalTier.class.getName())))) {
				stall.set(false);
				try {
					Thread.sleep(300);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			return t;
		};
		LocalTier local = new LocalTier(settings(Duration.ofSeconds(1), 100), new CacheStatistics(), clock, false);
		long now = System.currentTimeMillis();
		CacheEntry written = entry(now, 1000);
		stall.set(true);
		local.write("k", written);
		awaitWallClock(written.expiresAt() + 100);
		CacheEntry served = local.get("k");
		long at = System.currentTimeMillis();
		assertThat(served).as("L1 served an entry %d ms past its expiresAt", at - written.expiresAt()).isNull();
	}

	/**
	 * Eviction statistics: an entry whose freshness ended while it sat in L1, then removed by
	 * an invalidation, expired first.
	 */
	@Test
	void anEntryInvalidatedAfterItsFreshnessEndedIsCountedAsExpired() {
		CacheStatistics statistics = new CacheStatistics();
		LocalTier local = new LocalTier(settings(Duration.ofSeconds(10), 100), statistics,
				System::currentTimeMillis, false);
		CacheEntry written = entry(System.currentTimeMillis(), 200);
		local.write("k", written);
		awaitWallClock(written.expiresAt() + 50);
		local.nativeCache().cleanUp();
		local.invalidate("k", EvictionCause.REMOTE);
		assertThat(statistics.evictions(Tier.L1, EvictionCause.REMOTE)).as("REMOTE evictions").isZero();
		assertThat(statistics.evictions(Tier.L1, EvictionCause.EXPIRED)).as("EXPIRED evictions").isEqualTo(1);
	}

	/**
	 * Local-only mode (local.ttl = ttl): an L1 expiry sends the read to the loader (the
	 * database), so the jitter spreads the expiries of entries written together.
	 */
	@Test
	void withoutRedisEntriesWrittenTogetherDoNotExpireTogether() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, TieredCacheAutoConfiguration.class))
			.withPropertyValues("tiered-cache.redis.enabled=false", "tiered-cache.caches.c.ttl=2s",
					"tiered-cache.caches.c.jitter=0.5")
			.run((context) -> {
				TieredCache cache = context.getBean(TieredCacheManager.class).getCache("c");
				long start = System.currentTimeMillis();
				for (int i = 0; i < 40; i++) {
					cache.put("k" + i, "v");
				}
				Map<Integer, Long> goneAt = new HashMap<>();
				// Each key's expiry, as seen by polling every 10 ms until all are gone.
				Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> {
					for (int i = 0; i < 40; i++) {
						if (!goneAt.containsKey(i) && cache.peekLocal(TieredCache.encodeKey("k" + i)) == null) {
							goneAt.put(i, System.currentTimeMillis() - start);
						}
					}
					return goneAt.size() == 40;
				});
				long min = goneAt.values().stream().mapToLong(Long::longValue).min().orElseThrow();
				long max = goneAt.values().stream().mapToLong(Long::longValue).max().orElseThrow();
				assertThat(max - min).as("spread of L1 expiries of 40 keys written together, ms (first %d, last %d)",
						min, max).isGreaterThan(200);
			});
	}

}
