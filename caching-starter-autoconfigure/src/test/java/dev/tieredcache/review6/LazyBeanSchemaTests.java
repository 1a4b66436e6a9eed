package dev.tieredcache.review6;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.review6.Users.NewUsers;
import dev.tieredcache.review6.Users.OldUsers;
import dev.tieredcache.review6.Users.Rows;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * review6: a cache whose {@code @ReadThrough} methods live in a lazy bean (a {@code @Lazy}
 * bean, or every bean under {@code spring.main.lazy-initialization=true}) gets no schema.
 * {@code CacheSchemas} takes the value types once, in {@code afterSingletonsInstantiated},
 * from the methods {@code CacheOperationSource} has seen so far, that is from beans proxied
 * by then; a lazy bean is proxied at its first use, later, and its types never reach the
 * copy. Both versions of a rolling deploy then write and read schema 0, and read each
 * other's values.
 */
class LazyBeanSchemaTests {

	/**
	 * Sequence: the old version (UserV1) and the new one (UserV2), each with its repository
	 * as a lazy bean, L1 off, share Redis; the old version reads id 1 (loads and stores
	 * UserV1), then the new version reads id 1.
	 * Observed: the cache's schema is 0 on both; the new version is served the old version's
	 * UserV1 from Redis (here a ClassCastException at the caller; between two builds of one
	 * class name, the old fields read into the new class, the new field null).
	 * Expected: as with eager beans, each version has its fingerprint and the new version
	 * loads its own UserV2. Fix: compute the types when a cache's schema is asked for (or
	 * again when a bean is proxied after start-up: {@code CacheOperationSource} could tell
	 * {@code CacheSchemas} of each newly seen method before its first call, and refuse to
	 * change a schema once values were written), or collect the value types from bean
	 * definitions ({@code CachedMethodsAotProcessor} already walks them) rather than from
	 * proxies made so far.
	 */
	@Test
	void aLazyRepositoryStillGetsItsSchema() {
		Rows rows = new Rows();
		String prefix = TestRedis.uniquePrefix("review6-lazy");
		ApplicationContextRunner oldVersion = Instances.runner(TestRedis.SHARED_PORT, prefix)
			.withBean(OldUsers.class, () -> new OldUsers(rows), (definition) -> definition.setLazyInit(true))
			.withPropertyValues("tiered-cache.defaults.local.enabled=false");
		ApplicationContextRunner newVersion = Instances.runner(TestRedis.SHARED_PORT, prefix)
			.withBean(NewUsers.class, () -> new NewUsers(rows), (definition) -> definition.setLazyInit(true))
			.withPropertyValues("tiered-cache.defaults.local.enabled=false");
		oldVersion.run((a) -> newVersion.run((b) -> {
			assertThat(a.getBean(OldUsers.class).find(1)).isEqualTo(new Users.UserV1(1, 1));
			assertThatCode(() -> {
				Users.UserV2 user = b.getBean(NewUsers.class).find(1);
				assertThat(user).isEqualTo(new Users.UserV2(1, 1, "1@example.com"));
			}).as("the new version reads its own value").doesNotThrowAnyException();
			long schemaA = a.getBean(TieredCacheManager.class).getCache("users").schema();
			long schemaB = b.getBean(TieredCacheManager.class).getCache("users").schema();
			assertThat(schemaA).as("the old version's fingerprint").isNotZero();
			assertThat(schemaB).as("the new version's fingerprint").isNotZero().isNotEqualTo(schemaA);
		}));
	}

}
