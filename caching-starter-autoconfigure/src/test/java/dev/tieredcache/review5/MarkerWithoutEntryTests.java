package dev.tieredcache.review5;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;
import dev.tieredcache.test.TestThreads;
import dev.tieredcache.writebehind.WriteBehindDeadLetters;
import dev.tieredcache.writebehind.WriteBehindFlusher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * review5: a pending marker {@code q:{cache@key}} whose entry {@code c:{cache@key}} is gone
 * (evicted by an {@code allkeys-*} policy, which the flusher only warns about, deleted by
 * hand, lost with a partial restore) is never settled. {@code wb-take.lua} claims it and
 * returns an empty entry; the flusher then calls {@code forget}, which removes the index
 * member and, seeing the marker still there, re-indexes it as due <em>now</em>. The marker
 * is never deleted, never dead-lettered, never logged: the key is claimed again every round
 * for ever, the backlog gauge never drains, and a round whose batch is full of such keys
 * never ends.
 */
class MarkerWithoutEntryTests {

	private static ApplicationContextRunner runner(Db db, String prefix, String... properties) {
		return Instances.runner(TestRedis.SHARED_PORT, prefix)
			.withBean(Db.class, () -> db)
			.withBean(Db.Repository.class, () -> new Db.Repository(db))
			.withPropertyValues("tiered-cache.defaults.write-behind.flush-interval=1h",
					"tiered-cache.shutdown-timeout=1s")
			.withPropertyValues(properties);
	}

	/**
	 * Sequence: save(k, 1) is pending; its entry {@code c:{seen@k}} disappears (DEL, as an
	 * eviction would), the marker stays; three flush rounds run.
	 * Observed: the marker is still there, the index still holds the key (due now), no
	 * dead letter, nothing logged: it is claimed again every round, for ever.
	 * Expected: the first round that finds a marker without a value settles it: drops the
	 * marker (counted, logged at WARN without the key) or dead-letters what it can (the
	 * serialized key), so the write is either visible to operators or gone, not spinning.
	 */
	@Test
	void aMarkerWithoutEntryIsSettled() {
		Db db = new Db();
		String prefix = TestRedis.uniquePrefix("review5-orphan");
		runner(db, prefix).run((a) -> {
			a.getBean(Db.Repository.class).save("k", 1L);
			try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
				byte[] marker = (prefix + "q:{seen@k}").getBytes();
				assertThat(redis.commands().exists(marker)).isOne();
				redis.commands().del((prefix + "c:{seen@k}").getBytes());
				WriteBehindFlusher flusher = a.getBean(WriteBehindFlusher.class);
				int claimed = 0;
				for (int i = 0; i < 3; i++) {
					claimed += flusher.flushRound("seen");
				}
				long deadLetters = a.getBean(WriteBehindDeadLetters.class).count("seen");
				long indexed = redis.commands().zcard((prefix + "pq:{seen}").getBytes());
				assertThat(redis.commands().exists(marker) == 0 || deadLetters == 1)
					.as("after 3 rounds (claimed %d times): marker still there = %s, still indexed = %d, "
							+ "dead letters = %d", claimed, redis.commands().exists(marker) == 1, indexed, deadLetters)
					.isTrue();
				assertThat(indexed).as("nothing left to flush").isZero();
			}
		});
	}

	/**
	 * The same with {@code batch-size=1}: {@code flushDue} repeats rounds while they come
	 * back full, and the orphan marker fills every round (it is re-indexed as due now), so
	 * {@code flushDue} never returns: the flusher thread of that cache spins against Redis
	 * until the application stops (and then {@code stop()} spins on it for the whole
	 * shutdown timeout, flushing nothing else).
	 * Observed: flushDue has not returned after 3 s. Expected: it returns at once.
	 */
	@Test
	void anOrphanMarkerDoesNotWedgeTheFlusher() {
		Db db = new Db();
		String prefix = TestRedis.uniquePrefix("review5-orphan-spin");
		runner(db, prefix, "tiered-cache.defaults.write-behind.batch-size=1").run((a) -> {
			a.getBean(Db.Repository.class).save("k", 1L);
			try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
				redis.commands().del((prefix + "c:{seen@k}").getBytes());
			}
			WriteBehindFlusher flusher = a.getBean(WriteBehindFlusher.class);
			CompletableFuture<Void> round = CompletableFuture.runAsync(() -> flusher.flushDue("seen"),
					TestThreads.EACH_ON_ITS_OWN);
			try {
				assertThatCode(() -> round.get(3, TimeUnit.SECONDS)).as("flushDue returns").doesNotThrowAnyException();
			}
			finally {
				// Lets the spinning round end (running = false) when the context closes.
				flusher.stop();
				round.get(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
			}
		});
	}

	/**
	 * At shutdown, {@code stop()} repeats rounds of each cache while a round claims
	 * anything, until the shutdown timeout: the orphan marker of cache "seen" is claimed by
	 * every round, so stopping spends the whole timeout on it and the pending writes of the
	 * caches after it are not flushed at shutdown.
	 * Sequence: save(k, 1) on "items", its entry deleted; save(j, 2) on "seen"; the context
	 * closes (shutdown-timeout 2s). Observed: j never reached the database (still pending in
	 * Redis); the close took the whole timeout. Expected: j flushed at shutdown, at once.
	 */
	@Test
	void anOrphanMarkerDoesNotStarveTheShutdownFlushOfOtherCaches() {
		Db db = new Db();
		String prefix = TestRedis.uniquePrefix("review5-orphan-stop");
		runner(db, prefix, "tiered-cache.shutdown-timeout=2s")
			.withBean(Db.BatchRepository.class, () -> new Db.BatchRepository(db))
			.run((a) -> {
				a.getBean(Db.BatchRepository.class).save("k", 1L);
				a.getBean(Db.Repository.class).save("j", 2L);
				try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
					redis.commands().del((prefix + "c:{items@k}").getBytes());
				}
			});
		assertThat(db.audit("j")).as("the pending write of cache 'seen' flushed at shutdown").containsExactly(2L);
	}

}
