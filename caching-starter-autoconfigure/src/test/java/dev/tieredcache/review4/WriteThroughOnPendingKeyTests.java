package dev.tieredcache.review4;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;
import dev.tieredcache.test.TestThreads;
import dev.tieredcache.writebehind.WriteBehindFlusher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
	 * claim-after, on a live flusher): nothing orders the method's own database write with
	 * the flush already running, whose older value could land after it. The write-through
	 * therefore waits for the flush to be acknowledged before its method runs (a fence), and
	 * its cache change then supersedes the pending value.
	 * Sequence: save(k, 1) pending; a flush round starts writing 1 (held before it lands);
	 * correct(k, 2) is called; the flush's write lands.
	 * Expected: correct's own write waits for the flush: the audit is [1, 2], never 1 after
	 * 2; the cache then reads 2 and nothing is pending.
	 */
	@Test
	void aWriteThroughDuringAFlushWaitsForIt() throws Exception {
		Db db = new Db();
		db.hold = 1;
		runner(db, "review4-wt-put").run((a) -> {
			a.getBean(Db.Repository.class).save("k", 1L);
			WriteBehindFlusher flusher = a.getBean(WriteBehindFlusher.class);
			CompletableFuture<Void> round = CompletableFuture.runAsync(() -> flusher.flushDue("seen"),
					TestThreads.EACH_ON_ITS_OWN);
			assertThat(db.holding.await(10, TimeUnit.SECONDS)).as("the flush of 1 is under way").isTrue();
			CompletableFuture<Long> correction = CompletableFuture
				.supplyAsync(() -> a.getBean(Db.Admin.class).correct("k", 2L), TestThreads.EACH_ON_ITS_OWN);
			// The correction is parked on the fence, not in the database: nothing landed yet.
			await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
				.until(() -> db.audit("k").isEmpty() && !correction.isDone());
			db.release.countDown();
			round.get(10, TimeUnit.SECONDS);
			assertThat(correction.get(10, TimeUnit.SECONDS)).isEqualTo(2L);
			assertThat(db.audit("k")).as("the database never receives the older 1 after 2").containsExactly(1L, 2L);
			assertThat(a.getBean(TieredCacheManager.class).getCache("seen").get("k", Long.class)).isEqualTo(2L);
			flusher.flushDue("seen");
			assertThat(db.audit("k")).as("the superseded pending value is not flushed again")
				.containsExactly(1L, 2L);
		});
	}

	/**
	 * A write-through whose method fails gives its fence up: the pending value it did not
	 * supersede is still flushed, at once, not after claim-after.
	 */
	@Test
	void aFailedWriteThroughLeavesThePendingValueToBeFlushed() {
		Db db = new Db();
		db.failing = (v) -> v == 2;
		runner(db, "review4-wt-fail").run((a) -> {
			a.getBean(Db.Repository.class).save("k", 1L);
			assertThatThrownBy(() -> a.getBean(Db.Admin.class).correct("k", 2L)).isInstanceOf(IllegalStateException.class);
			a.getBean(WriteBehindFlusher.class).flushDue("seen");
			assertThat(db.audit("k")).as("the pending value is flushed").containsExactly(1L);
		});
	}

}
