package dev.tieredcache.review5;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;
import dev.tieredcache.test.TestThreads;
import dev.tieredcache.writebehind.WriteBehindFlusher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * review5: the fence a {@code @WriteThrough} takes on a pending write-behind key is bounded
 * by {@code claim-after} at both ends, and when the bound is reached the write goes on
 * unordered: the database then receives the older pending value after the writer's newer
 * one, and keeps it, while the cache holds the newer one (the flush's ack finds the marker
 * superseded, so nothing repairs it). "Order per key" and the documented "no flusher takes
 * the key while the method runs" are broken.
 */
class FenceBoundTests {

	private static final String CLAIM_AFTER = "500ms";

	private static ApplicationContextRunner runner(Db db, String prefix) {
		return Instances.runner(TestRedis.SHARED_PORT, prefix)
			.withBean(Db.class, () -> db)
			.withBean(Db.Repository.class, () -> new Db.Repository(db))
			.withBean(Db.Admin.class, () -> new Db.Admin(db))
			.withPropertyValues("tiered-cache.defaults.write-behind.flush-interval=1h",
					"tiered-cache.defaults.write-behind.claim-after=" + CLAIM_AFTER,
					"tiered-cache.shutdown-timeout=1s");
	}

	/**
	 * The writer's fence is a claim with a lease of {@code claim-after} that nothing renews
	 * (flushers have a heartbeat, fences have none). A write-through method that runs longer
	 * than claim-after after its own database write (the rest of its transaction, a call to
	 * another system) loses the fence to a flusher, which flushes the older pending value.
	 * Sequence: save(k, 1) is pending; correctThenNotify(k, 2) fences k, writes 2, then is
	 * still busy; claim-after passes (the fence's lease runs out); a flush round runs; the
	 * method returns (write.lua stores 2 and drops the marker).
	 * Observed: audit [2, 1]: the database received 1 after 2 and keeps 1, while every
	 * instance reads 2 until the entry's TTL. Expected: no flusher takes a fenced key while
	 * the method runs (docs/write-behind.md), so the audit is [2] and the row is 2: the
	 * fence should be renewed like a flusher's claim (a heartbeat until it is released or
	 * superseded).
	 */
	@Test
	void aFenceHoldsWhileTheMethodRunsLongerThanClaimAfter() throws Exception {
		Db db = new Db();
		String prefix = TestRedis.uniquePrefix("review5-fence-lease");
		runner(db, prefix).run((a) -> {
			a.getBean(Db.Repository.class).save("k", 1L);
			Db.Admin admin = a.getBean(Db.Admin.class);
			CountDownLatch busy = new CountDownLatch(1);
			db.afterWrite = busy;
			CompletableFuture<Long> correction = CompletableFuture.supplyAsync(() -> {
				try {
					return admin.correctThenNotify("k", 2L);
				}
				catch (InterruptedException ex) {
					throw new IllegalStateException(ex);
				}
			}, TestThreads.EACH_ON_ITS_OWN);
			await().atMost(Duration.ofSeconds(5)).until(() -> db.audit("k").equals(List.of(2L)));
			try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
				byte[] marker = (prefix + "q:{seen@k}").getBytes();
				// Twice claim-after (500ms) passes while the method is busy: the fence's lease (marker
				// field 'l', Redis ms) stays ahead of Redis's clock all along (its heartbeat).
				await().during(Duration.ofMillis(1000)).atMost(Duration.ofMillis(3000)).until(() -> {
					byte[] lease = redis.commands().hget(marker, "l".getBytes());
					List<byte[]> time = redis.commands().time();
					long now = Long.parseLong(new String(time.get(0))) * 1000
							+ Long.parseLong(new String(time.get(1))) / 1000;
					return lease != null && Long.parseLong(new String(lease)) > now;
				});
			}
			a.getBean(WriteBehindFlusher.class).flushDue("seen");
			busy.countDown();
			assertThat(correction.get(10, TimeUnit.SECONDS)).isEqualTo(2L);
			a.getBean(WriteBehindFlusher.class).flushDue("seen");
			assertThat(a.getBean(TieredCacheManager.class).getCache("seen").get("k", Long.class)).isEqualTo(2L);
			assertThat(db.audit("k")).as("the database never receives the older 1 after 2 (row now %s, cache 2)",
					db.row("k"))
				.containsExactly(2L);
		});
	}

	/**
	 * A write-through called inside a transaction that already holds the row's lock (an
	 * earlier UPDATE of the same row in the same transaction) while a flush of the key is
	 * under way: the flush waits on the row lock, the writer waits on the flush's claim (the
	 * flusher's heartbeat keeps it alive). After claim-after the writer stops waiting and
	 * writes anyway; when its transaction commits, the flush's older value lands after it.
	 * Sequence: save(k, 1) is pending; the writer's transaction locks row k; a flush round
	 * starts writing 1 and blocks on the row lock; correct(k, 2) is called in the writer's
	 * transaction: the fence waits claim-after, gives up (WARN), the method writes 2, the
	 * transaction commits (row lock released); the flush's 1 lands.
	 * Observed: audit [2, 1], row 1, cache 2 (the ack finds the marker superseded; nothing
	 * repairs it). Expected: the database never receives 1 after 2: a fence that cannot be
	 * had within its bound should fail the write (the transaction rolls back and can be
	 * retried) rather than write unordered; or at least the docs should state this outcome
	 * of "at most claim-after", which they present as a wait, not as a loss of order.
	 */
	@Test
	@Disabled("Known limit, documented in docs/write-behind.md: a @WriteThrough that holds a database lock its key's flush needs waits claim-after for the fence, then writes unordered")
	void aFenceThatRunsOutDoesNotWriteUnordered() throws Exception {
		Db db = new Db();
		String prefix = TestRedis.uniquePrefix("review5-fence-lock");
		runner(db, prefix).run((a) -> {
			a.getBean(Db.Repository.class).save("k", 1L);
			WriteBehindFlusher flusher = a.getBean(WriteBehindFlusher.class);
			Db.Admin admin = a.getBean(Db.Admin.class);
			ReentrantLock row = db.rowLock("k");
			CountDownLatch locked = new CountDownLatch(1);
			CountDownLatch flushing = new CountDownLatch(1);
			CompletableFuture<Long> transaction = CompletableFuture.supplyAsync(() -> {
				row.lock(); // an earlier statement of the writer's transaction
				try {
					locked.countDown();
					flushing.await(10, TimeUnit.SECONDS);
					return admin.correct("k", 2L);
				}
				catch (InterruptedException ex) {
					throw new IllegalStateException(ex);
				}
				finally {
					row.unlock(); // commit
				}
			}, TestThreads.EACH_ON_ITS_OWN);
			assertThat(locked.await(5, TimeUnit.SECONDS)).isTrue();
			CompletableFuture<Void> round = CompletableFuture.runAsync(() -> flusher.flushDue("seen"),
					TestThreads.EACH_ON_ITS_OWN);
			await().atMost(Duration.ofSeconds(5)).until(row::hasQueuedThreads);
			flushing.countDown();
			assertThat(transaction.get(10, TimeUnit.SECONDS)).isEqualTo(2L);
			round.get(10, TimeUnit.SECONDS);
			flusher.flushDue("seen");
			assertThat(a.getBean(TieredCacheManager.class).getCache("seen").get("k", Long.class)).isEqualTo(2L);
			assertThat(db.audit("k")).as("the database never receives the older 1 after 2 (row now %s, cache 2)",
					db.row("k"))
				.doesNotContainSequence(2L, 1L);
		});
	}

}
