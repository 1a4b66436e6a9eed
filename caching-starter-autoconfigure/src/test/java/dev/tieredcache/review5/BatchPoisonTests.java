package dev.tieredcache.review5;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;
import dev.tieredcache.writebehind.WriteBehindDeadLetters;
import dev.tieredcache.writebehind.WriteBehindFlusher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * review5: one value the database refuses poisons every {@code flushAll} batch it is in. A
 * failed {@code flushAll} counts a failed attempt against every key of the batch; the keys
 * then come due together after the same back-off and are batched together again, so after
 * {@code max-attempts} all of them are dead-lettered, the good ones with the bad one, and
 * every one becomes a tombstone: reads of the good keys no longer see their values (they
 * load the older rows) and the database never gets them unless an operator replays each.
 * (A value that cannot be <em>decoded</em> does not do this: it fails alone, before the
 * batch is built. The database refusing one row does.)
 */
class BatchPoisonTests {

	/**
	 * Sequence: save(a, 1), save(bad, 13), save(b, 2) are pending in cache "items"
	 * ({@code flushAll = saveAll}, max-attempts 2); the database refuses 13; flush rounds run
	 * until nothing is pending.
	 * Observed: 3 dead letters; a and b never reached the database; reading a gives null.
	 * Expected: only the refused write is dead-lettered (after its attempts); a and b reach
	 * the database (a failed batch retried key by key, or split, to find the culprit) and
	 * stay readable.
	 */
	@Test
	void oneRefusedValueDoesNotDeadLetterItsBatch() {
		Db db = new Db();
		db.failing = (v) -> v == 13;
		String prefix = TestRedis.uniquePrefix("review5-poison");
		ApplicationContextRunner runner = Instances
			.runner(TestRedis.SHARED_PORT, prefix)
			.withBean(Db.class, () -> db)
			.withBean(Db.BatchRepository.class, () -> new Db.BatchRepository(db))
			.withPropertyValues("tiered-cache.defaults.write-behind.flush-interval=1h",
					"tiered-cache.defaults.write-behind.max-attempts=2",
					"tiered-cache.defaults.write-behind.backoff=20ms", "tiered-cache.shutdown-timeout=1s");
		runner.run((a) -> {
			Db.BatchRepository repository = a.getBean(Db.BatchRepository.class);
			repository.save("a", 1L);
			repository.save("bad", 13L);
			repository.save("b", 2L);
			WriteBehindFlusher flusher = a.getBean(WriteBehindFlusher.class);
			WriteBehindDeadLetters deadLetters = a.getBean(WriteBehindDeadLetters.class);
			try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
				await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
					flusher.flushDue("items");
					return deadLetters.count("items") >= 1
							&& redis.commands().zcard((prefix + "pq:{items}").getBytes()) == 0;
				});
			}
			assertThat(db.audit("a")).as("a good write in the refused value's batch (dead letters: %d)",
					deadLetters.count("items"))
				.containsExactly(1L);
			assertThat(db.audit("b")).containsExactly(2L);
			assertThat(deadLetters.count("items")).isOne();
			assertThat(a.getBean(TieredCacheManager.class).getCache("items").get("a", Long.class)).isEqualTo(1L);
		});
	}

}
