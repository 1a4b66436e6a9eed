package dev.tieredcache.review6;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Configuration;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.review6.Users.NewCacheable;
import dev.tieredcache.review6.Users.OldCacheable;
import dev.tieredcache.review6.Users.Rows;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * review6: plain Spring {@code @Cacheable} (not {@code sync}) thrashes between two schemas.
 * Spring answers a miss with {@code Cache.get}, the method, then {@code Cache.put}; for the
 * cache a {@code put} is a write ({@code write.lua 'set'}): it replaces the entry whatever
 * schema holds it, advances the sequence (so the other schema's variant is dropped too) and
 * publishes an invalidation. Each version's miss (the other's value is passed over) thus
 * pushes the other version's value out: both versions load on every read. The operations
 * guide tells a {@code Cache}-API cache to set {@code schema.version} when its classes
 * change, and promises that neither version pushes the other's values out.
 */
class CacheablePutThrashTests {

	private static final int KEYS = 20;

	private static final int ROUNDS = 10;

	/**
	 * Sequence: the old version ({@code @Cacheable} returning UserV1,
	 * {@code schema.version=1}) and the new one (UserV2, {@code schema.version=2}), L1 off,
	 * share Redis; for 10 rounds each reads ids 0 to 19 in turn.
	 * Observed: every read of either version after the first round still runs the method
	 * (hit ratio 0 on both), and every read publishes an invalidation to all instances.
	 * Expected: as with {@code @ReadThrough} ({@code SchemaDeployTests}), above 90 % hits for
	 * both. Fix: let a {@code put} that follows a miss caused by another schema's value
	 * (Spring's {@code @Cacheable} pattern) go to the schema's variant under the entry's
	 * sequence, like a fill, e.g. by remembering per thread the sequence that {@code get}
	 * saw when it passed over another schema's value and storing the {@code put} with
	 * {@code fill.lua} when it is still the entry's; or document that {@code @Cacheable} must
	 * use {@code sync = true} (which goes through {@code get(key, Callable)}, a fill) during a
	 * rolling deploy.
	 */
	@Test
	@Disabled("Known limit, documented in docs/operations.md (Rolling deploys and schemas): a Cache.put or putIfAbsent, as non-sync @Cacheable does on a miss, is a write and replaces the other schema's value")
	void cacheableInTwoSchemasKeepsBothHitRatios() {
		Rows rows = new Rows();
		String prefix = TestRedis.uniquePrefix("review6-cacheable");
		ApplicationContextRunner oldVersion = Instances.runner(TestRedis.SHARED_PORT, prefix)
			.withConfiguration(AutoConfigurations.of(CacheAutoConfiguration.class))
			.withUserConfiguration(Caching.class)
			.withBean(OldCacheable.class, () -> new OldCacheable(rows))
			.withPropertyValues("tiered-cache.defaults.local.enabled=false", "tiered-cache.caches.accounts.schema.version=1");
		ApplicationContextRunner newVersion = Instances.runner(TestRedis.SHARED_PORT, prefix)
			.withConfiguration(AutoConfigurations.of(CacheAutoConfiguration.class))
			.withUserConfiguration(Caching.class)
			.withBean(NewCacheable.class, () -> new NewCacheable(rows))
			.withPropertyValues("tiered-cache.defaults.local.enabled=false", "tiered-cache.caches.accounts.schema.version=2");
		oldVersion.run((a) -> newVersion.run((b) -> {
			OldCacheable old = a.getBean(OldCacheable.class);
			NewCacheable current = b.getBean(NewCacheable.class);
			TieredCache cacheA = a.getBean(TieredCacheManager.class).getCache("accounts");
			TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("accounts");
			assertThat(cacheA.schema()).isNotZero().isNotEqualTo(cacheB.schema());
			int reads = 0;
			for (int round = 0; round < ROUNDS; round++) {
				for (long id = 0; id < KEYS; id++) {
					assertThat(old.find(id)).isEqualTo(new Users.UserV1(id, 1));
					assertThat(current.find(id)).isEqualTo(new Users.UserV2(id, 1, id + "@example.com"));
					reads++;
				}
			}
			double hitsA = 1 - (double) old.loads() / reads;
			double hitsB = 1 - (double) current.loads() / reads;
			assertThat(hitsA).as("the old version's hit ratio").isGreaterThan(0.9);
			assertThat(hitsB).as("the new version's hit ratio").isGreaterThan(0.9);
		}));
	}

	/**
	 * Sequence: two versions ({@code schema.version=1} and {@code 2}), L1 off, share Redis;
	 * the old version calls {@code putIfAbsent(k, "old")} (stored), the new one
	 * {@code putIfAbsent(k, "new")}, then the old version reads k.
	 * Observed: the new version's {@code putIfAbsent} finds the old version's value, cannot
	 * read it (another schema: "absent"), and replaces it by compare-and-set
	 * ({@code TieredCache.storeIfAbsent}); the old version's read of k misses. Alternating,
	 * each version's {@code putIfAbsent} pushes the other's value out.
	 * Expected: a value present in another schema is present: the new version's value goes to
	 * its variant (as a load does, under the entry's sequence), and the old version still
	 * reads "old". Fix: in {@code storeIfAbsent}, when the existing value is of another
	 * schema, store with {@code fill.lua} under its sequence (variant) instead of
	 * {@code replace}.
	 */
	@Test
	@Disabled("Known limit, documented in docs/operations.md (Rolling deploys and schemas): a Cache.put or putIfAbsent, as non-sync @Cacheable does on a miss, is a write and replaces the other schema's value")
	void putIfAbsentInTwoSchemasKeepsTheOtherVersionsValue() {
		String prefix = TestRedis.uniquePrefix("review6-put-if-absent");
		ApplicationContextRunner oldVersion = Instances.runner(TestRedis.SHARED_PORT, prefix)
			.withPropertyValues("tiered-cache.defaults.local.enabled=false", "tiered-cache.caches.accounts.schema.version=1");
		ApplicationContextRunner newVersion = Instances.runner(TestRedis.SHARED_PORT, prefix)
			.withPropertyValues("tiered-cache.defaults.local.enabled=false", "tiered-cache.caches.accounts.schema.version=2");
		oldVersion.run((a) -> newVersion.run((b) -> {
			TieredCache cacheA = a.getBean(TieredCacheManager.class).getCache("accounts");
			TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("accounts");
			assertThat(cacheA.putIfAbsent("k", "old")).isNull();
			assertThat(cacheB.putIfAbsent("k", "new")).isNull();
			assertThat(cacheB.get("k", String.class)).isEqualTo("new");
			assertThat(cacheA.get("k", String.class)).as("the old version's value is still there").isEqualTo("old");
		}));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class Caching {

	}

}
