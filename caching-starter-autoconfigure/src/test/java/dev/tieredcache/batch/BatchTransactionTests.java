package dev.tieredcache.batch;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.redis.RedisKeyLayout;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static dev.tieredcache.batch.BatchReadThroughTests.cache;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A batch loaded inside a transaction that may write: the caller gets the values, Redis
 * gets them only after the commit, and never after a rollback.
 */
class BatchTransactionTests {

	private final String prefix = TestRedis.uniquePrefix("batch-transactions");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, this.prefix);

	private final TransactionTemplate transaction = new TransactionTemplate(new NoResourceTransactionManager());

	@Test
	void valuesLoadedInACommittedTransactionAreStoredAfterTheCommitOnly() {
		this.runner.run((a) -> {
			TieredCache cache = cache(a, "users");
			this.transaction.executeWithoutResult((status) -> {
				assertThat(cache.getAll(List.of(1L, 2L), BatchReadThroughTests::values)).hasSize(2);
				assertThat(stored(1L)).as("nothing stored before the commit").isFalse();
				assertThat(stored(2L)).isFalse();
			});
			assertThat(stored(1L)).isTrue();
			assertThat(stored(2L)).isTrue();
		});
	}

	@Test
	void valuesLoadedInARolledBackTransactionAreNeverStoredNorSharedInL1() {
		this.runner.run((a) -> {
			TieredCache cache = cache(a, "users");
			this.transaction.executeWithoutResult((status) -> {
				assertThat(cache.getAll(List.of(1L), (ids) -> Map.of(1L, "uncommitted"))).containsEntry(1L,
						"uncommitted");
				status.setRollbackOnly();
			});
			assertThat(stored(1L)).isFalse();
			assertThat(cache.getAll(List.of(1L), BatchReadThroughTests::values)).containsEntry(1L, "user 1");
		});
	}

	private boolean stored(long id) {
		try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
			byte[] key = (this.prefix + "c:{users@" + id + "}").getBytes();
			return redis.commands().strlen(key) > RedisKeyLayout.ENTRY_HEADER;
		}
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
