package dev.tieredcache.review4;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;
import dev.tieredcache.writebehind.WriteBehindFlusher;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * review4: {@code clear()} of a write-behind cache hides the pending values from every read
 * while they are still pending (and still flushed later): readers get the database's older
 * value, although "until its flush a pending value is what every instance reads".
 *
 * <p>clear() bumps the cache's epoch; a pending entry carries the epoch of its write in its
 * envelope, so every read finds it "made before the clear" and treats it as a miss. The
 * load that follows reads the database, which does not have the pending value yet; fill.lua
 * refuses to replace the pending entry (no TTL), so the load's older value is returned to
 * the caller and every later read loads again, until the flush. The flusher, which decodes
 * "whatever the epoch", still writes the pending value afterwards, so the value readers got
 * was never the last write.
 *
 * <p>Sequence: the database holds k = 1; save(k, 5) is pending; any caller clears the
 * cache; a read-through of k. Observed: 1 (the database's older value). Expected: 5, the
 * pending value, until it is flushed (or the clear drops the pending write, and then it
 * must not be flushed either).
 */
class ClearHidesPendingValueTests {

	@Test
	void aPendingValueIsStillReadAfterClear() {
		Db db = new Db();
		db.write("k", 1L);
		ApplicationContextRunner runner = Instances
			.runner(TestRedis.SHARED_PORT, TestRedis.uniquePrefix("review4-clear"))
			.withBean(Db.class, () -> db)
			.withBean(Db.Repository.class, () -> new Db.Repository(db))
			.withPropertyValues("tiered-cache.defaults.write-behind.flush-interval=1h");
		runner.run((a) -> runner.run((b) -> {
			TieredCache onA = a.getBean(TieredCacheManager.class).getCache("seen");
			TieredCache onB = b.getBean(TieredCacheManager.class).getCache("seen");
			a.getBean(Db.Repository.class).save("k", 5L);
			assertThat(onB.get("k", () -> db.row("k"))).as("read your writes before the clear").isEqualTo(5L);
			// B clears (A learns of it by message, a little later; B's own read is the
			// deterministic one).
			onB.clear();
			assertThat(onB.get("k", () -> db.row("k"))).as("read your writes after the clear, on B")
				.isEqualTo(5L);
			a.getBean(WriteBehindFlusher.class).flushDue("seen");
			assertThat(db.audit("k")).as("the pending value is still flushed").containsExactly(1L, 5L);
		}));
	}

	/** The same for a batch read: the pending value, not the database's older row. */
	@Test
	void aPendingValueIsStillReadByABatchAfterClear() {
		Db db = new Db();
		db.write("k", 1L);
		db.write("j", 2L);
		ApplicationContextRunner runner = Instances
			.runner(TestRedis.SHARED_PORT, TestRedis.uniquePrefix("review4-clear-batch"))
			.withBean(Db.class, () -> db)
			.withBean(Db.Repository.class, () -> new Db.Repository(db))
			.withPropertyValues("tiered-cache.defaults.write-behind.flush-interval=1h");
		runner.run((a) -> {
			TieredCache cache = a.getBean(TieredCacheManager.class).getCache("seen");
			a.getBean(Db.Repository.class).save("k", 5L);
			cache.clear();
			java.util.Map<String, Long> read = cache.getAll(java.util.List.of("k", "j"), (missing) -> {
				java.util.Map<String, Long> rows = new java.util.HashMap<>();
				missing.forEach((key) -> rows.put(key, db.row(key)));
				return rows;
			});
			assertThat(read).containsEntry("k", 5L).containsEntry("j", 2L);
		});
	}

}
