package dev.tieredcache.schema;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import dev.tieredcache.TieredCacheOperations;
import dev.tieredcache.annotation.ReadThrough;
import dev.tieredcache.annotation.WriteThrough;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A rolling deploy: two versions of an application whose cached value classes differ by a
 * field share one Redis. Each reads its own values (no error, no thrashing), and a write or
 * a tag invalidation on either version reaches both. L1 is off, so every read is a Redis
 * read: a hit ratio here is Redis's.
 */
class SchemaDeployTests {

	private static final int KEYS = 20;

	private static final int ROUNDS = 30;

	/** The database both versions read: a row per id, with a version per change. */
	static final class Rows {

		final Map<Long, Integer> versions = new ConcurrentHashMap<>();

		int version(long id) {
			return this.versions.getOrDefault(id, 1);
		}

		void change(long id) {
			this.versions.merge(id, 2, (a, b) -> a + 1);
		}

	}

	/** The cached value of the old version. */
	public record UserV1(long id, int version) {
	}

	/** The cached value of the new version: one field more. */
	public record UserV2(long id, int version, String email) {
	}

	/** The old version's repository. */
	public static class OldUsers {

		final Rows rows;

		final AtomicInteger loads = new AtomicInteger();

		public OldUsers(Rows rows) {
			this.rows = rows;
		}

		public int loads() {
			return this.loads.get();
		}

		@ReadThrough(cache = "users", key = "#id", tags = "'user:' + #id")
		public UserV1 find(long id) {
			this.loads.incrementAndGet();
			return new UserV1(id, this.rows.version(id));
		}

		@WriteThrough(cache = "users", key = "#id", tags = "'user:' + #id")
		public UserV1 touch(long id) {
			this.rows.change(id);
			return new UserV1(id, this.rows.version(id));
		}

	}

	/** The new version's repository. */
	public static class NewUsers {

		final Rows rows;

		final AtomicInteger loads = new AtomicInteger();

		public NewUsers(Rows rows) {
			this.rows = rows;
		}

		public int loads() {
			return this.loads.get();
		}

		@ReadThrough(cache = "users", key = "#id", tags = "'user:' + #id")
		public UserV2 find(long id) {
			this.loads.incrementAndGet();
			return new UserV2(id, this.rows.version(id), id + "@example.com");
		}

	}

	private static OldUsers old(ApplicationContext context) {
		return context.getBean(OldUsers.class);
	}

	private static NewUsers current(ApplicationContext context) {
		return context.getBean(NewUsers.class);
	}

	@Test
	void eachVersionKeepsItsOwnValuesUnderASteadyLoad() {
		Rows rows = new Rows();
		String prefix = TestRedis.uniquePrefix("schema-steady");
		ApplicationContextRunner oldVersion = Instances.runner(TestRedis.SHARED_PORT, prefix)
			.withBean(OldUsers.class, () -> new OldUsers(rows))
			.withPropertyValues("tiered-cache.defaults.local.enabled=false");
		ApplicationContextRunner newVersion = Instances.runner(TestRedis.SHARED_PORT, prefix)
			.withBean(NewUsers.class, () -> new NewUsers(rows))
			.withPropertyValues("tiered-cache.defaults.local.enabled=false");
		oldVersion.run((a) -> newVersion.run((b) -> {
			long schemaA = a.getBean(TieredCacheManager.class).getCache("users").schema();
			long schemaB = b.getBean(TieredCacheManager.class).getCache("users").schema();
			assertThat(schemaA).as("a fingerprint by default").isNotZero().isNotEqualTo(schemaB);
			int reads = 0;
			for (int round = 0; round < ROUNDS; round++) {
				for (long id = 0; id < KEYS; id++) {
					assertThat(old(a).find(id)).isEqualTo(new UserV1(id, 1));
					assertThat(current(b).find(id)).isEqualTo(new UserV2(id, 1, id + "@example.com"));
					reads++;
				}
			}
			double hitsA = 1 - (double) old(a).loads() / reads;
			double hitsB = 1 - (double) current(b).loads() / reads;
			assertThat(hitsA).as("the old version's hit ratio").isGreaterThan(0.9);
			assertThat(hitsB).as("the new version's hit ratio").isGreaterThan(0.9);
			assertThat(b.getBean(TieredCacheManager.class).getCache("users").getStatistics().unreadableValues())
				.as("never an unreadable value").isZero();
			assertThat(b.getBean(TieredCacheManager.class).getCache("users").getStatistics().otherSchemaValues())
				.as("the old version's values passed over").isPositive();
		}));
	}

	@Test
	void aWriteOrATagInvalidationOnEitherVersionReachesBoth() {
		Rows rows = new Rows();
		String prefix = TestRedis.uniquePrefix("schema-changes");
		ApplicationContextRunner oldVersion = Instances.runner(TestRedis.SHARED_PORT, prefix)
			.withBean(OldUsers.class, () -> new OldUsers(rows))
			.withPropertyValues("tiered-cache.defaults.local.enabled=false");
		ApplicationContextRunner newVersion = Instances.runner(TestRedis.SHARED_PORT, prefix)
			.withBean(NewUsers.class, () -> new NewUsers(rows))
			.withPropertyValues("tiered-cache.defaults.local.enabled=false");
		oldVersion.run((a) -> newVersion.run((b) -> {
			old(a).find(7);
			current(b).find(7);
			assertThat(current(b).find(7).version()).isEqualTo(1);
			int loadsB = current(b).loads();

			// A write on the old version: the new one misses and reads the new row.
			old(a).touch(7);
			await().atMost(Duration.ofSeconds(2)).until(() -> current(b).find(7).version() == 2);
			assertThat(current(b).loads()).isEqualTo(loadsB + 1);

			// A tag invalidation on the new version: the old one misses too.
			int loadsA = old(a).loads();
			assertThat(old(a).find(7).version()).isEqualTo(2);
			assertThat(old(a).loads()).as("the write's own value served the old version").isEqualTo(loadsA);
			rows.change(7);
			b.getBean(TieredCacheOperations.class).invalidateTags("user:7");
			// The old version learns the tag's new version by message (milliseconds).
			await().atMost(Duration.ofSeconds(2)).until(() -> old(a).find(7).version() == 3);
			assertThat(current(b).find(7).version()).isEqualTo(3);
			assertThat(old(a).loads()).isEqualTo(loadsA + 1);
		}));
	}

	@Test
	void theSameClassesShareTheirValuesAndAnExplicitVersionSeparatesThem() {
		Rows rows = new Rows();
		String prefix = TestRedis.uniquePrefix("schema-same");
		ApplicationContextRunner one = Instances.runner(TestRedis.SHARED_PORT, prefix)
			.withBean(OldUsers.class, () -> new OldUsers(rows))
			.withPropertyValues("tiered-cache.defaults.local.enabled=false");
		one.run((a) -> one.run((b) -> {
			old(a).find(1);
			old(b).find(1);
			assertThat(old(b).loads()).as("one fingerprint: one value for both").isZero();
		}));
		String other = TestRedis.uniquePrefix("schema-explicit");
		ApplicationContextRunner v1 = Instances.runner(TestRedis.SHARED_PORT, other)
			.withBean(OldUsers.class, () -> new OldUsers(rows))
			.withPropertyValues("tiered-cache.defaults.local.enabled=false", "tiered-cache.caches.users.schema.version=1");
		ApplicationContextRunner v2 = Instances.runner(TestRedis.SHARED_PORT, other)
			.withBean(OldUsers.class, () -> new OldUsers(rows))
			.withPropertyValues("tiered-cache.defaults.local.enabled=false", "tiered-cache.caches.users.schema.version=2");
		v1.run((a) -> v2.run((b) -> {
			old(a).find(1);
			old(b).find(1);
			old(b).find(1);
			assertThat(old(b).loads()).as("another version loads its own value once").isEqualTo(1);
			old(a).find(1);
			assertThat(old(a).loads()).as("and leaves the first version's in place").isEqualTo(1);
		}));
	}

}
