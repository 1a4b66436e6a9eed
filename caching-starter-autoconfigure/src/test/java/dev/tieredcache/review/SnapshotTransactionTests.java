package dev.tieredcache.review;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.Cache;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;
import dev.tieredcache.test.TestThreads;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Promise 1 ("the cache is never written with a value older than a write or invalidation
 * that completed before the value's load finished") against real PostgreSQL under
 * REPEATABLE READ: a transaction's snapshot is taken at its first statement, so a load made
 * later inside it reads the row as it was then. The write sequence noted at the miss
 * already includes the other instance's write and eviction, so the old row is stored.
 */
class SnapshotTransactionTests {

	private final String table = "review_users_" + UUID.randomUUID().toString().substring(0, 8).replace('-', '_');

	private final DriverManagerDataSource dataSource = new DriverManagerDataSource(
			"jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");

	private final JdbcTemplate jdbc = new JdbcTemplate(this.dataSource);

	/** Another application instance's database access: its own connections. */
	private final JdbcTemplate otherJdbc = new JdbcTemplate(
			new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:5432/test", "postgres", ""));

	private final String prefix = TestRedis.uniquePrefix("snapshot");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, this.prefix);

	@BeforeEach
	void createTable() {
		this.jdbc.execute("create table " + this.table + " (id int primary key, name text not null)");
		this.jdbc.update("insert into " + this.table + " values (1, 'v1'), (2, 'other')");
	}

	@AfterEach
	void dropTable() {
		this.jdbc.execute("drop table if exists " + this.table);
	}

	@Test
	void aMissInsideAWritingRepeatableReadTransactionNeverStoresARowOlderThanACompletedWrite() {
		assertNoOlderRowStored(false);
	}

	@Test
	void aMissInsideAReadOnlyRepeatableReadTransactionNeverStoresARowOlderThanACompletedWrite() {
		assertNoOlderRowStored(true);
	}

	private void assertNoOlderRowStored(boolean readOnly) {
		this.runner.run((a) -> this.runner.run((b) -> {
			Cache cacheA = a.getBean(TieredCacheManager.class).getCache("users");
			Cache cacheB = b.getBean(TieredCacheManager.class).getCache("users");
			TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(this.dataSource));
			transaction.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
			transaction.setReadOnly(readOnly);
			String loaded = transaction.execute((status) -> {
				// The transaction's first statement (its snapshot).
				this.jdbc.queryForObject("select name from " + this.table + " where id = 2", String.class);
				if (!readOnly) {
					this.jdbc.update("update " + this.table + " set name = 'other2' where id = 2");
				}
				// Instance B, outside the transaction: writes the row and evicts the key; both complete.
				// (on a thread of its own, outside A's transaction).
				CompletableFuture.runAsync(() -> {
					this.otherJdbc.update("update " + this.table + " set name = 'v2' where id = 1");
					cacheB.evict(1L);
				}, TestThreads.EACH_ON_ITS_OWN).join();
				// Only now does A miss on the key and load it.
				return cacheA.get(1L, () -> this.jdbc.queryForObject("select name from " + this.table + " where id = 1",
						String.class));
			});
			assertThat(loaded).as("what the transaction saw").isEqualTo("v1");
			assertThat(this.jdbc.queryForObject("select name from " + this.table + " where id = 1", String.class))
				.isEqualTo("v2");
			// The write and eviction of "v2" completed before the load began.
			assertThat(cacheB.get(1L, () -> "loaded by B")).as("what B reads after both completed").isNotEqualTo("v1");
		}));
	}

}
