package dev.tieredcache.review4;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.RedisWriteBehindStore;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.RedisServerProcess;
import dev.tieredcache.test.TestRedis;
import dev.tieredcache.writebehind.WriteBehindFlusher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * review4: a {@code @WriteBehind} call that runs its method at once (condition false, or
 * Redis unavailable at call time) while an older value of the same key is pending: the
 * method writes the newer value to the database, the eviction that follows spares the
 * pending entry (write.lua spares an entry without TTL), and the flusher later writes the
 * OLDER pending value over it. The database ends with the older value for good, and every
 * instance reads the older value too: the newer write is lost.
 *
 * <p>Expected ("order per key": the database never receives an older value of a key after
 * a newer one; "Redis unavailable at call time: the method runs at once"): the older
 * pending write is superseded (dropped, or replaced by the value the method wrote) when
 * a later call of the same key runs the method at once.
 */
class SynchronousWriteOvertakenTests {

	private static ApplicationContextRunner runner(int port, String prefix, Db db, String... properties) {
		return Instances.runner(port, prefix)
			.withBean(Db.class, () -> db)
			.withBean(Db.Repository.class, () -> new Db.Repository(db))
			.withPropertyValues("tiered-cache.defaults.write-behind.flush-interval=1h")
			.withPropertyValues(properties);
	}

	private static TieredCache seen(ApplicationContext context) {
		return context.getBean(TieredCacheManager.class).getCache("seen");
	}

	/**
	 * Sequence: save(k, 1) is pending; save(k, 200) fails the condition ({@code #value < 100})
	 * so the method runs at once: the database gets 200; then a flush round.
	 * Observed: the database receives 1 after 200 (audit [200, 1]) and keeps 1; the cache
	 * serves 1. Expected: the database ends with 200 and never sees 1 after it.
	 */
	@Test
	void aWriteRunAtOnceIsNotOverwrittenByAnOlderPendingValue() {
		Db db = new Db();
		runner(TestRedis.SHARED_PORT, TestRedis.uniquePrefix("review4-cond"), db).run((a) -> {
			Db.Repository repository = a.getBean(Db.Repository.class);
			repository.save("k", 1L);
			assertThat(db.audit("k")).as("pending, not written yet").isEmpty();
			repository.save("k", 200L);
			assertThat(db.audit("k")).as("the condition is false: written at once").containsExactly(200L);
			a.getBean(WriteBehindFlusher.class).flushDue("seen");
			assertThat(db.audit("k")).as("the database never receives the older 1 after 200")
				.containsExactly(200L);
			assertThat(seen(a).get("k", () -> db.row("k"))).as("a read-through reads the last write").isEqualTo(200L);
		});
	}

	/**
	 * The same with the promise "Redis unavailable at call time: the method runs at once".
	 * Sequence: save(k, 1) is pending in Redis; Redis stalls, reads time out and the circuit
	 * opens; save(k, 2) cannot reach Redis, so the method runs at once (database: 2); Redis
	 * answers again, the circuit closes, the queued eviction is replayed (and spares the
	 * pending entry); a flush round runs.
	 * Observed: the database receives 1 after 2 and keeps 1. Expected: it ends with 2.
	 */
	@Test
	void aWriteRunAtOnceWhileTheCircuitIsOpenIsNotOverwrittenByTheOlderPendingValue() throws Exception {
		Db db = new Db();
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			runner(redis.port(), TestRedis.uniquePrefix("review4-circuit"), db,
					"tiered-cache.redis.command-timeout=200ms", "tiered-cache.redis.circuit-failure-threshold=2",
					"tiered-cache.redis.circuit-open-duration=500ms", "tiered-cache.redis.repair-interval=200ms")
				.run((a) -> {
					Db.Repository repository = a.getBean(Db.Repository.class);
					TieredCacheManager manager = a.getBean(TieredCacheManager.class);
					repository.save("k", 1L);
					redis.pause();
					try {
						// Reads of other keys time out (they only read) and open the circuit, so
						// the next write-behind call is refused without reaching Redis.
						RedisWriteBehindStore store = a.getBean(RedisWriteBehindStore.class);
						await().atMost(Duration.ofSeconds(5)).until(() -> {
							seen(a).get("other");
							return store.executor().circuit().isOpen();
						});
						repository.save("k", 2L);
						assertThat(db.audit("k")).as("Redis unavailable: the method ran at once").containsExactly(2L);
					}
					finally {
						redis.resume();
					}
					await().atMost(Duration.ofSeconds(10)).until(() -> manager.pendingInvalidations() == 0);
					// Retried until Redis answers the flusher again.
					await().atMost(Duration.ofSeconds(10))
						.untilAsserted(() -> a.getBean(WriteBehindFlusher.class).flushDue("seen"));
					assertThat(db.audit("k")).as("the database never receives the older 1 after 2").containsExactly(2L);
				});
		}
	}

}
