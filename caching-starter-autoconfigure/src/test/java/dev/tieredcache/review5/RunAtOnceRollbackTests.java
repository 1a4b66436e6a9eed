package dev.tieredcache.review5;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;
import dev.tieredcache.writebehind.WriteBehindFlusher;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * review5: a {@code @WriteBehind} call that runs its method at once ({@code condition}
 * false) inside a transaction that then rolls back still supersedes the key's older pending
 * value. {@code WriteBehindInterceptor.runAtOnce} evicts the key ({@code write.lua 'del'},
 * which deletes the marker) right after the method returns, not after commit, and never
 * registers the fence's release for a rollback (unlike {@code @WriteThrough}, which defers
 * its cache change with {@code AfterCommit} and releases its fences on rollback). The
 * pending value is dropped although the write that was to replace it never happened:
 * docs/write-behind.md promises "a transaction that rolls back gives the claim back and the
 * pending value is flushed as before".
 */
class RunAtOnceRollbackTests {

	/**
	 * Sequence: save(k, 1) is pending in cache "marks"; in a transaction, save(k, 200) runs
	 * its method at once (condition {@code #value < 100} false: writes 200, buffered by the
	 * transaction) and the key is evicted; the transaction rolls back (200 never lands); a
	 * flush round runs.
	 * Observed: audit [] and nothing pending: the write of 1 is lost (neither in the
	 * database nor in the cache nor in the dead letters). Expected: audit [1], as for a
	 * rolled-back {@code @WriteThrough}: the eviction after commit only, the fence released
	 * on rollback.
	 */
	@Test
	void aRolledBackRunAtOnceCallLeavesThePendingValueToBeFlushed() {
		Db db = new Db();
		ApplicationContextRunner runner = Instances
			.runner(TestRedis.SHARED_PORT, TestRedis.uniquePrefix("review5-at-once-rollback"))
			.withBean(Db.class, () -> db)
			.withBean(Db.ConditionalRepository.class, () -> new Db.ConditionalRepository(db))
			.withPropertyValues("tiered-cache.defaults.write-behind.flush-interval=1h",
					"tiered-cache.shutdown-timeout=1s");
		runner.run((a) -> {
			Db.ConditionalRepository repository = a.getBean(Db.ConditionalRepository.class);
			repository.save("k", 1L);
			new TransactionTemplate(new NoResourceTransactionManager()).executeWithoutResult((status) -> {
				repository.save("k", 200L);
				status.setRollbackOnly();
			});
			assertThat(db.audit("k")).as("the rolled-back write did not land").isEmpty();
			a.getBean(WriteBehindFlusher.class).flushDue("marks");
			assertThat(db.audit("k")).as("the pending write of 1 is flushed as before").containsExactly(1L);
			assertThat(a.getBean(TieredCacheManager.class).getCache("marks").get("k", Long.class)).isEqualTo(1L);
		});
	}

	/** A transaction manager with no resource: only transaction synchronization matters here. */
	static class NoResourceTransactionManager extends AbstractPlatformTransactionManager {

		@Override
		protected Object doGetTransaction() {
			return new Object();
		}

		@Override
		protected void doBegin(Object transaction, TransactionDefinition definition) {
		}

		@Override
		protected void doCommit(DefaultTransactionStatus status) {
		}

		@Override
		protected void doRollback(DefaultTransactionStatus status) {
		}

	}

}
