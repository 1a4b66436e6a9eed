package dev.tieredcache.review6;

import java.nio.charset.StandardCharsets;

import jakarta.annotation.PostConstruct;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.RedisKeyLayout;
import dev.tieredcache.review6.Users.NewUsers;
import dev.tieredcache.review6.Users.OldUsers;
import dev.tieredcache.review6.Users.Rows;
import dev.tieredcache.serialization.EntryCodec;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * review6: a cache read before {@code CacheSchemas.afterSingletonsInstantiated} (from a
 * {@code @PostConstruct}, an {@code InitializingBean}, a bean factory method) runs with
 * schema 0: its load is stored without a schema ({@code fill.lua} with an empty schema
 * always targets the entry), so it replaces the other version's value in the entry, as a
 * format-2 value that every reader without a schema (a release before schemas, still
 * running during the deploy) takes for its own.
 */
class EarlyUseSchemaTests {

	/**
	 * Sequence: the old version (UserV1) runs and has read id 1 (its value in the entry).
	 * The new version (UserV2) starts; a bean's {@code @PostConstruct} reads id 1 through the
	 * new repository. The old version reads id 1 again.
	 * Observed: the new version's start-up load replaced the old version's value in the
	 * entry, as a format-2 value (no schema: the cache's schema was still 0); the old
	 * version misses and loads again.
	 * Expected: the start-up load goes to the new version's variant, as any load of the new
	 * version does; the old version still hits. Fix: give caches their schema before any
	 * bean can use them (compute it when the cache is created, from the bean definitions'
	 * classes, or have the interceptor resolve a cache's schema on first use), or make a
	 * cache refuse to write to Redis (L1 only) until its schema is known.
	 */
	@Test
	@Disabled("Known limit, documented in docs/operations.md (Rolling deploys and schemas): a cache used before start-up completes has no schema yet")
	void aStartUpReadDoesNotPushTheOtherVersionsValueOut() {
		Rows rows = new Rows();
		String prefix = TestRedis.uniquePrefix("review6-early");
		ApplicationContextRunner oldVersion = Instances.runner(TestRedis.SHARED_PORT, prefix)
			.withBean(OldUsers.class, () -> new OldUsers(rows))
			.withPropertyValues("tiered-cache.defaults.local.enabled=false");
		ApplicationContextRunner newVersion = Instances.runner(TestRedis.SHARED_PORT, prefix)
			.withBean(NewUsers.class, () -> new NewUsers(rows))
			.withBean(StartUpReader.class)
			.withPropertyValues("tiered-cache.defaults.local.enabled=false");
		oldVersion.run((a) -> {
			OldUsers old = a.getBean(OldUsers.class);
			old.find(1);
			assertThat(old.loads()).isEqualTo(1);
			newVersion.run((b) -> {
				assertThat(b).hasNotFailed();
				assertThat(b.getBean(NewUsers.class).loads()).as("the start-up read loaded").isEqualTo(1);
				TieredCache cache = b.getBean(TieredCacheManager.class).getCache("users");
				byte[] entry;
				try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
					entry = redis.commands()
						.get((prefix + "c:{" + RedisKeyLayout.entryId(cache.getEncodedName(), cache.encodedKey(1L)) + "}")
							.getBytes(StandardCharsets.UTF_8));
				}
				assertThat(EntryCodec.schemaOf(entry, RedisKeyLayout.ENTRY_HEADER))
					.as("the entry's schema (0: written without one)")
					.isNotEqualTo(EntryCodec.NO_SCHEMA);
				old.find(1);
				assertThat(old.loads()).as("the old version's loads").isEqualTo(1);
			});
		});
	}

	/** Reads through the cache while the application starts. */
	public static class StartUpReader {

		private final NewUsers users;

		public StartUpReader(NewUsers users) {
			this.users = users;
		}

		@PostConstruct
		void read() {
			this.users.find(1);
		}

	}

}
