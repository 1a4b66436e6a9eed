package dev.tieredcache.review5;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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
 * review5: a {@code @WriteBehind} write accepted while a {@code @WriteThrough} of the same
 * key is running (after the write-through's own database write, before its cache change)
 * is silently lost. {@code write.lua} deletes the key's marker whatever value it holds, so
 * the write-through's cache change, which comes after the method returned (or after its
 * transaction committed), supersedes a pending value that is <em>newer</em> than its own
 * database write. The caller of the write-behind method was told its write is pending; it
 * never reaches the database, and the cache then holds the older value.
 */
class WriteBehindDuringWriteThroughTests {

	/**
	 * Sequence: save(k, 1) is pending; correctThenNotify(k, 2) fences k and writes 2 to the
	 * database, then is still busy (the rest of its transaction); save(k, 3) is called and
	 * returns (pending, in the marker the fence holds); correctThenNotify returns and its
	 * cache change (write.lua 'set' 2) deletes the marker; flush rounds run.
	 * Observed: audit [2]; the cache reads 2; the write of 3 is gone (no marker, no dead
	 * letter). Expected: 3, written after 2 reached the database, is the last value: it is
	 * flushed (audit [2, 3]) and read as 3. write.lua should supersede only the pending value
	 * the writer fenced (its sequence, taken with the fence) and leave a newer pending value
	 * (and its entry) in place.
	 */
	@Test
	void aWriteBehindWriteMadeDuringAWriteThroughIsNotLost() throws Exception {
		Db db = new Db();
		ApplicationContextRunner runner = Instances
			.runner(TestRedis.SHARED_PORT, TestRedis.uniquePrefix("review5-wb-during-wt"))
			.withBean(Db.class, () -> db)
			.withBean(Db.Repository.class, () -> new Db.Repository(db))
			.withBean(Db.Admin.class, () -> new Db.Admin(db))
			.withPropertyValues("tiered-cache.defaults.write-behind.flush-interval=1h",
					"tiered-cache.shutdown-timeout=1s");
		runner.run((a) -> {
			Db.Repository repository = a.getBean(Db.Repository.class);
			repository.save("k", 1L);
			CountDownLatch busy = new CountDownLatch(1);
			db.afterWrite = busy;
			CompletableFuture<Long> correction = CompletableFuture.supplyAsync(() -> {
				try {
					return a.getBean(Db.Admin.class).correctThenNotify("k", 2L);
				}
				catch (InterruptedException ex) {
					throw new IllegalStateException(ex);
				}
			}, TestThreads.EACH_ON_ITS_OWN);
			await().atMost(Duration.ofSeconds(5)).until(() -> db.audit("k").equals(List.of(2L)));
			repository.save("k", 3L);
			busy.countDown();
			assertThat(correction.get(10, TimeUnit.SECONDS)).isEqualTo(2L);
			WriteBehindFlusher flusher = a.getBean(WriteBehindFlusher.class);
			flusher.flushDue("seen");
			flusher.flushDue("seen");
			assertThat(db.audit("k")).as("the write of 3, made after 2 reached the database").containsExactly(2L, 3L);
			assertThat(a.getBean(TieredCacheManager.class).getCache("seen").get("k", Long.class)).isEqualTo(3L);
		});
	}

}
