package dev.tieredcache.review4;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;
import dev.tieredcache.test.TestThreads;
import dev.tieredcache.writebehind.WriteBehindFlusher;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * review4: writes of a write-behind key made by other means than the write-behind call
 * ({@code @WriteThrough} of the same cache, in PUT or EVICT mode) are not ordered with the
 * key's pending write, so the database receives the older pending value after them.
 */
class WriteThroughOnPendingKeyTests {

	private static ApplicationContextRunner runner(Db db, String name) {
		return Instances.runner(TestRedis.SHARED_PORT, TestRedis.uniquePrefix(name))
			.withBean(Db.class, () -> db)
			.withBean(Db.Repository.class, () -> new Db.Repository(db))
			.withBean(Db.Admin.class, () -> new Db.Admin(db))
			.withPropertyValues("tiered-cache.defaults.write-behind.flush-interval=1h");
	}

	/**
	 * A deleting write-through ({@code mode = EVICT}) of a pending key: the eviction spares
	 * the pending entry (write.lua 'del' leaves an entry without TTL), so the older pending
	 * value is flushed after the delete and the row comes back, for good; reads keep serving
	 * it too.
	 * Sequence: save(k, 1) pending; delete(k) deletes the row and evicts; a flush round.
	 * Observed: audit [DELETED, 1], the cache reads 1. Expected: the database never receives
	 * 1 after the delete; the key reads as absent.
	 */
	@Test
	@Disabled("Known break of write-behind, issue 14 stays open: an eviction spares a pending value, which is flushed after the delete")
	void aDeleteOfAPendingKeyIsNotUndoneByTheFlush() {
		Db db = new Db();
		runner(db, "review4-wt-del").run((a) -> {
			a.getBean(Db.Repository.class).save("k", 1L);
			a.getBean(Db.Admin.class).delete("k");
			a.getBean(WriteBehindFlusher.class).flushDue("seen");
			assertThat(db.audit("k")).as("the older pending value does not reach the database after the delete")
				.containsExactly(Db.DELETED);
			assertThat(a.getBean(TieredCacheManager.class).getCache("seen").get("k")).isNull();
		});
	}

	/**
	 * A write-through of a pending key while its flush is under way (well within
	 * claim-after, on a live flusher): write.lua 'set' keeps the key pending with the new
	 * value, but nothing orders it against the flush already running, whose older value
	 * lands after it. wb-ack then sees the newer sequence and keeps the key pending, so the
	 * database is right again only after the next flush round; until then it holds 1, and a
	 * crash or a dead-letter of the next round leaves it at 1.
	 * Sequence: save(k, 1) pending; a flush round starts writing 1 (held before it lands);
	 * correct(k, 2) writes 2 through; the flush's write lands.
	 * Observed: audit [2, 1] once the round returned. Expected: never 1 after 2.
	 */
	@Test
	@Disabled("Known break of write-behind, issue 14 stays open: a flush in flight lands after a concurrent write-through (corrected by the next flush)")
	void aWriteThroughDuringAFlushIsNotFollowedByTheOlderFlushedValue() {
		Db db = new Db();
		db.hold = 1;
		runner(db, "review4-wt-put").run((a) -> {
			a.getBean(Db.Repository.class).save("k", 1L);
			WriteBehindFlusher flusher = a.getBean(WriteBehindFlusher.class);
			CompletableFuture<Void> round = CompletableFuture.runAsync(() -> flusher.flushDue("seen"),
					TestThreads.EACH_ON_ITS_OWN);
			assertThat(db.holding.await(10, TimeUnit.SECONDS)).as("the flush of 1 is under way").isTrue();
			a.getBean(Db.Admin.class).correct("k", 2L);
			db.release.countDown();
			round.get(10, TimeUnit.SECONDS);
			assertThat(db.audit("k")).as("the database never receives the older 1 after 2").containsExactly(2L);
		});
	}

}
