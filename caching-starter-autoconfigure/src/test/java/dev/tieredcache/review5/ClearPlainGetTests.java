package dev.tieredcache.review5;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.Cache;

import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * review5: after {@code clear()}, a pending write-behind value is still served by reads
 * that load ({@code get(key, loader)}, via {@code acquire.lua}'s outcome 3), but not by a
 * plain {@code Cache.get(key)}, which Spring's own {@code @Cacheable} uses before it calls
 * the method: it treats the entry as made before the clear and answers a miss, so the
 * caller loads the older database row. "Read your writes, everywhere ... a clear does not
 * hide it" holds only for the starter's own read-through path. Worse, what such a caller
 * does next, {@code @Cacheable} style ({@code put} of the row it loaded), is a
 * {@code Cache.put}, which supersedes the pending value: the write is lost.
 */
class ClearPlainGetTests {

	/**
	 * Sequence: save(k, 5) is pending on A; B clears the cache; B and A call
	 * {@code get(k, Long.class)}. Observed: null (a miss; the caller would read the older
	 * row). Expected: 5, as {@code get(k, loader)} returns.
	 */
	@Test
	void aPlainGetAfterClearStillReadsThePendingValue() {
		Db db = new Db();
		ApplicationContextRunner runner = Instances
			.runner(TestRedis.SHARED_PORT, TestRedis.uniquePrefix("review5-clear-get"))
			.withBean(Db.class, () -> db)
			.withBean(Db.Repository.class, () -> new Db.Repository(db))
			.withPropertyValues("tiered-cache.defaults.write-behind.flush-interval=1h",
					"tiered-cache.shutdown-timeout=1s");
		runner.run((a) -> runner.run((b) -> {
			a.getBean(Db.Repository.class).save("k", 5L);
			Cache onB = b.getBean(TieredCacheManager.class).getCache("seen");
			assertThat(onB.get("k", Long.class)).as("read your writes before the clear").isEqualTo(5L);
			onB.clear();
			assertThat(onB.get("k", Long.class)).as("read your writes after the clear, plain get").isEqualTo(5L);
		}));
	}

	/**
	 * What Spring's {@code @Cacheable} (not sync) does with that miss: reads the row and
	 * puts it. Sequence: the database holds k = 1; save(k, 5) is pending; B clears;
	 * B's {@code get(k)} misses, so the caller loads 1 and {@code put(k, 1)}; a flush round
	 * runs. Observed: audit [1] (only the initial row), the cache reads 1: the write of 5
	 * is lost. Expected: the get returns 5 and nothing is lost; the flush writes 5.
	 */
	@Test
	void aCacheableReaderAfterClearDoesNotLoseThePendingWrite() {
		Db db = new Db();
		db.write("k", 1L);
		ApplicationContextRunner runner = Instances
			.runner(TestRedis.SHARED_PORT, TestRedis.uniquePrefix("review5-clear-cacheable"))
			.withBean(Db.class, () -> db)
			.withBean(Db.Repository.class, () -> new Db.Repository(db))
			.withPropertyValues("tiered-cache.defaults.write-behind.flush-interval=1h",
					"tiered-cache.shutdown-timeout=1s");
		runner.run((a) -> {
			a.getBean(Db.Repository.class).save("k", 5L);
			Cache cache = a.getBean(TieredCacheManager.class).getCache("seen");
			cache.clear();
			Cache.ValueWrapper hit = cache.get("k");
			if (hit == null) {
				cache.put("k", db.row("k"));
			}
			a.getBean(dev.tieredcache.writebehind.WriteBehindFlusher.class).flushDue("seen");
			assertThat(db.audit("k")).as("the pending write of 5 reaches the database").containsExactly(1L, 5L);
		});
	}

}
