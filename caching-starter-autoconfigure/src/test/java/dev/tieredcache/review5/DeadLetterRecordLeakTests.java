package dev.tieredcache.review5;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;
import dev.tieredcache.writebehind.WriteBehindDeadLetters;
import dev.tieredcache.writebehind.WriteBehindFlusher;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * review5: the per-key record of a key's last dead letter, {@code d:{cache@key}}, is set
 * without TTL by {@code wb-fail.lua} and deleted only by a later write of the key or by a
 * replay; dropping the dead letter (the endpoint's DELETE) leaves it for ever. Every key
 * that was ever dead-lettered and never written again keeps one key in Redis, which the
 * docs require to run with {@code noeviction} or a {@code volatile-*} policy, so nothing
 * reclaims them (a slow leak towards OOM errors, which then fail every write).
 */
class DeadLetterRecordLeakTests {

	/**
	 * Sequence: save(k, 1); the database refuses 1; with max-attempts 1 the first flush
	 * dead-letters it; the dead letter is dropped. Observed: {@code d:{seen@k}} still exists,
	 * without TTL. Expected: dropping the key's last dead letter deletes its record (or the
	 * record has a TTL, e.g. the dead-letter stream's retention).
	 */
	@Test
	void droppingADeadLetterLeavesNoRecordBehind() {
		Db db = new Db();
		db.failing = (v) -> true;
		String prefix = TestRedis.uniquePrefix("review5-d-leak");
		ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, prefix)
			.withBean(Db.class, () -> db)
			.withBean(Db.Repository.class, () -> new Db.Repository(db))
			.withPropertyValues("tiered-cache.defaults.write-behind.flush-interval=1h",
					"tiered-cache.defaults.write-behind.max-attempts=1", "tiered-cache.shutdown-timeout=1s");
		runner.run((a) -> {
			a.getBean(Db.Repository.class).save("k", 1L);
			a.getBean(WriteBehindFlusher.class).flushDue("seen");
			WriteBehindDeadLetters deadLetters = a.getBean(WriteBehindDeadLetters.class);
			assertThat(deadLetters.count("seen")).isOne();
			assertThat(deadLetters.drop("seen", deadLetters.list("seen", 10).get(0).id())).isTrue();
			try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
				byte[] record = (prefix + "d:{seen@k}").getBytes();
				assertThat(redis.commands().exists(record) == 0 || redis.commands().pttl(record) > 0)
					.as("d:{seen@k} exists = %s, pttl = %s", redis.commands().exists(record),
							redis.commands().pttl(record))
					.isTrue();
			}
		});
	}

}
