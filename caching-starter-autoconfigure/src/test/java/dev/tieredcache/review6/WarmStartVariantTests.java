package dev.tieredcache.review6;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.review6.Users.NewUsers;
import dev.tieredcache.review6.Users.OldUsers;
import dev.tieredcache.review6.Users.Rows;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * review6: warm start copies nothing of a schema's variants, that is nothing during a
 * rolling deploy, when new instances start. {@code TieredCache.fillLocalFromRemote} (what
 * warm start calls, documented as filling L1 "exactly as a read of its key would") reads the
 * entries alone ({@code BatchLoads.fillLocal}: {@code redis().get}), not entry and variant
 * as every read does ({@code CacheInternals.readStored(RedisBatchStore, ...)}). A key whose
 * entry holds the old version's value and whose variant holds the new version's is passed
 * over (and counted as an other-schema rejection), so a new instance starts cold for
 * exactly the keys the new version already shares in Redis.
 */
class WarmStartVariantTests {

	/**
	 * Sequence: the old version (UserV1) and a first instance of the new one (UserV2) share
	 * Redis; the old version reads ids 0 to 9 (its values in the entries), the new instance
	 * reads them too (its values in its variants). A second instance of the new version
	 * starts and warms its L1 with those ten keys ({@code fillLocalFromRemote}).
	 * Observed: 0 entries copied (while ten keys whose entries hold the new version's values
	 * are all copied); the second instance's first reads of the ten go to Redis.
	 * Expected: 10 copied, as a read of each key would find them (its read serves the
	 * variant). Fix: read with {@code readStored(redis(), ...)} (entry and variant, one MGET,
	 * {@code inSchema}) in {@code BatchLoads.fillLocal}.
	 */
	@Test
	void warmStartCopiesTheSchemasVariants() {
		Rows rows = new Rows();
		String prefix = TestRedis.uniquePrefix("review6-warm-variant");
		ApplicationContextRunner oldVersion = Instances.runner(TestRedis.SHARED_PORT, prefix)
			.withBean(OldUsers.class, () -> new OldUsers(rows));
		ApplicationContextRunner newVersion = Instances.runner(TestRedis.SHARED_PORT, prefix)
			.withBean(NewUsers.class, () -> new NewUsers(rows));
		oldVersion.run((a) -> newVersion.run((b1) -> {
			List<String> keys = new java.util.ArrayList<>();
			TieredCache first = b1.getBean(TieredCacheManager.class).getCache("users");
			for (long id = 0; id < 10; id++) {
				a.getBean(OldUsers.class).find(id);
				b1.getBean(NewUsers.class).find(id);
				keys.add(first.encodedKey(id));
			}
			// Control: keys the old version never read hold the new version's values in the entries.
			List<String> control = new java.util.ArrayList<>();
			for (long id = 10; id < 20; id++) {
				b1.getBean(NewUsers.class).find(id);
				control.add(first.encodedKey(id));
			}
			newVersion.run((b2) -> {
				TieredCache second = b2.getBean(TieredCacheManager.class).getCache("users");
				assertThat(second.schema()).isEqualTo(first.schema());
				assertThat(second.fillLocalFromRemote(control)).as("control: entries in the new schema").isEqualTo(10);
				assertThat(second.fillLocalFromRemote(keys)).as("entries copied into L1").isEqualTo(10);
			});
		}));
	}

}
