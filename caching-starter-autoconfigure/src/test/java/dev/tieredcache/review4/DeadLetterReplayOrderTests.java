package dev.tieredcache.review4;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;
import dev.tieredcache.writebehind.WriteBehindDeadLetters;
import dev.tieredcache.writebehind.WriteBehindFlusher;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * review4: replaying a dead letter after a newer write of its key was flushed sends the
 * older value to the database after the newer one.
 *
 * <p>wb-revive.lua decides "superseded" only from what the cache entry holds at replay
 * time: a newer application write's entry (write id not zero, higher sequence). Once that
 * newer, flushed value has left the cache (an eviction leaves a tombstone; its TTL expires;
 * or a load refilled it, write id zero), nothing remembers it, and the dead letter's older
 * value is made pending again and flushed.
 *
 * <p>Sequence: save(k, 1) fails to flush (max-attempts 1) and is dead-lettered; save(k, 2)
 * is flushed (database: 2); the key is evicted (any cache eviction of it, here
 * {@code Cache.evict}); the operator replays the dead letter; a flush round runs.
 * Observed: the replay answers PENDING and the database receives 1 after 2 (audit [2, 1]),
 * and keeps 1. Expected ("replays: pending again, unless a newer write of the key supersedes
 * it"; "order per key"): SUPERSEDED, and the database keeps 2.
 */
class DeadLetterReplayOrderTests {

	@Test
	void aDeadLetterReplayedAfterANewerFlushedWriteIsSuperseded() {
		Db db = new Db();
		db.failing = (v) -> v == 1;
		ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, TestRedis.uniquePrefix("review4-dl"))
			.withBean(Db.class, () -> db)
			.withBean(Db.Repository.class, () -> new Db.Repository(db))
			.withPropertyValues("tiered-cache.defaults.write-behind.flush-interval=1h",
					"tiered-cache.defaults.write-behind.max-attempts=1");
		runner.run((a) -> {
			Db.Repository repository = a.getBean(Db.Repository.class);
			WriteBehindFlusher flusher = a.getBean(WriteBehindFlusher.class);
			WriteBehindDeadLetters deadLetters = a.getBean(WriteBehindDeadLetters.class);
			repository.save("k", 1L);
			flusher.flushDue("seen");
			assertThat(deadLetters.count("seen")).as("the write of 1 is dead-lettered").isEqualTo(1);
			repository.save("k", 2L);
			flusher.flushDue("seen");
			assertThat(db.audit("k")).containsExactly(2L);
			a.getBean(TieredCacheManager.class).getCache("seen").evict("k");

			// The database accepts the value again; the operator replays the dead letter.
			db.failing = (v) -> false;
			String id = deadLetters.list("seen", 10).get(0).id();
			WriteBehindDeadLetters.Replay replay = deadLetters.replay("seen", id);
			flusher.flushDue("seen");
			assertThat(db.audit("k")).as("the database never receives the older 1 after 2").containsExactly(2L);
			assertThat(replay).isEqualTo(WriteBehindDeadLetters.Replay.SUPERSEDED);
		});
	}

}
