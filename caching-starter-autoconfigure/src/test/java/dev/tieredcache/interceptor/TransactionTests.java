package dev.tieredcache.interceptor;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

import dev.tieredcache.interceptor.UserRepository.User;
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
