package dev.tieredcache.interceptor;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.Cache;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.interceptor.UserRepository.User;
import dev.tieredcache.redis.RedisKeyLayout;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cache changes made inside a transaction wait for its commit and vanish with a rollback,
 * so a reader cannot re-cache the old row between the cache change and the commit.
 */
class TransactionTests {

	private final String prefix = TestRedis.uniquePrefix("transactions");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, this.prefix)
		.withUserConfiguration(RepositoryConfiguration.class);

	@Test
	void anInvalidationInsideACommittedTransactionAppliesAfterTheCommit() {
		this.runner.run((context) -> {
			UserRepository repository = context.getBean(UserRepository.class);
			TransactionTemplate transaction = new TransactionTemplate(new NoResourceTransactionManager());
			repository.insert(new User(1, 10, "alice"));
			repository.find(1);
			transaction.executeWithoutResult((status) -> {
				repository.moveUser(1, 10, 20);
				repository.find(1);
				assertThat(repository.finds()).as("still cached before the commit").hasValue(1);
			});
			assertThat(repository.find(1).teamId()).isEqualTo(20);
			assertThat(repository.finds()).hasValue(2);
		});
	}

	@Test
	void anInvalidationInsideARolledBackTransactionChangesNothing() {
		this.runner.run((context) -> {
			UserRepository repository = context.getBean(UserRepository.class);
			TransactionTemplate transaction = new TransactionTemplate(new NoResourceTransactionManager());
			repository.insert(new User(1, 10, "alice"));
			repository.find(1);
			transaction.executeWithoutResult((status) -> {
				repository.save(new User(1, 10, "mallory"));
				repository.moveUser(1, 10, 20);
				status.setRollbackOnly();
			});
			assertThat(repository.find(1).name()).isEqualTo("alice");
			assertThat(repository.finds()).as("nothing was invalidated").hasValue(1);
		});
	}

	@Test
	void aValueLoadedInsideARolledBackTransactionNeverReachesAnotherInstance() {
		this.runner.run((a) -> this.runner.run((b) -> {
			UserRepository repositoryA = a.getBean(UserRepository.class);
			UserRepository repositoryB = b.getBean(UserRepository.class);
			repositoryB.insert(new User(1, 10, "alice"));
			TransactionTemplate transaction = new TransactionTemplate(new NoResourceTransactionManager());
			transaction.executeWithoutResult((status) -> {
				// A's own transaction sees its uncommitted row, and the caller gets it.
				repositoryA.insert(new User(1, 10, "uncommitted"));
				assertThat(repositoryA.find(1).name()).isEqualTo("uncommitted");
				status.setRollbackOnly();
			});
			assertThat(storedValue(1)).as("nothing published").isFalse();
			assertThat(repositoryB.find(1).name()).isEqualTo("alice");
			assertThat(repositoryB.finds()).hasValue(1);
		}));
	}

	@Test
	void aValueLoadedInsideACommittedTransactionIsPublishedAfterTheCommit() {
		this.runner.run((a) -> this.runner.run((b) -> {
			UserRepository repositoryA = a.getBean(UserRepository.class);
			UserRepository repositoryB = b.getBean(UserRepository.class);
			repositoryA.insert(new User(1, 10, "alice"));
			TransactionTemplate transaction = new TransactionTemplate(new NoResourceTransactionManager());
			transaction.executeWithoutResult((status) -> {
				assertThat(repositoryA.find(1).name()).isEqualTo("alice");
				assertThat(storedValue(1)).as("not before the commit").isFalse();
			});
			assertThat(storedValue(1)).as("after the commit").isTrue();
			assertThat(repositoryB.find(1).name()).isEqualTo("alice");
			assertThat(repositoryB.finds()).as("B read it from Redis").hasValue(0);
		}));
	}

	@Test
	void aReadOnlyTransactionReadsThroughAsUsual() {
		this.runner.run((context) -> {
			UserRepository repository = context.getBean(UserRepository.class);
			repository.insert(new User(1, 10, "alice"));
			TransactionTemplate transaction = new TransactionTemplate(new NoResourceTransactionManager());
			transaction.setReadOnly(true);
			transaction.executeWithoutResult((status) -> {
				repository.find(1);
				assertThat(storedValue(1)).isTrue();
			});
		});
	}

	@Test
	void cacheApiChangesInsideATransactionWaitForTheCommitAndVanishOnRollback() {
		this.runner.run((context) -> {
			Cache cache = context.getBean(TieredCacheManager.class).getCache("users");
			TransactionTemplate transaction = new TransactionTemplate(new NoResourceTransactionManager());
			transaction.executeWithoutResult((status) -> {
				cache.put(1L, "rolled-back");
				assertThat(storedValue(1)).isFalse();
				status.setRollbackOnly();
			});
			assertThat(storedValue(1)).isFalse();
			transaction.executeWithoutResult((status) -> {
				cache.put(1L, "committed");
				assertThat(storedValue(1)).isFalse();
			});
			assertThat(storedValue(1)).isTrue();
			transaction.executeWithoutResult((status) -> {
				cache.evict(1L);
				assertThat(storedValue(1)).isTrue();
			});
			assertThat(storedValue(1)).isFalse();
		});
	}

	@Test
	void cacheApiChangesAreImmediateWhenTransactionAwarenessIsOff() {
		this.runner.withPropertyValues("tiered-cache.transaction-aware=false").run((context) -> {
			Cache cache = context.getBean(TieredCacheManager.class).getCache("users");
			TransactionTemplate transaction = new TransactionTemplate(new NoResourceTransactionManager());
			transaction.executeWithoutResult((status) -> {
				cache.put(1L, "at once");
				assertThat(storedValue(1)).isTrue();
				status.setRollbackOnly();
			});
		});
	}

	/** Whether Redis holds a value (not a tombstone) for a key of cache "users". */
	private boolean storedValue(long id) {
		try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
			byte[] key = (this.prefix + "c:{users:" + id + "}").getBytes();
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

	@Configuration(proxyBeanMethods = false)
	static class RepositoryConfiguration {

		@Bean
		UserRepository userRepository() {
			return new UserRepository();
		}

	}

}
