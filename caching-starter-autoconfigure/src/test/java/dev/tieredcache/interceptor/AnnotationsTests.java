package dev.tieredcache.interceptor;


import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.tieredcache.interceptor.UserRepository.User;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The four annotations on a service, against the real Redis, with two application contexts
 * as two instances where it matters.
 */
class AnnotationsTests {

	private final String prefix = TestRedis.uniquePrefix("annotations");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, this.prefix)
		.withUserConfiguration(RepositoryConfiguration.class);

	@Test
	void readThroughRunsTheMethodOnceAndThenServesFromCache() {
		this.runner.run((context) -> {
			UserRepository repository = context.getBean(UserRepository.class);
			repository.insert(new User(1, 10, "alice"));
			assertThat(repository.find(1)).isEqualTo(new User(1, 10, "alice"));
			assertThat(repository.find(1)).isEqualTo(new User(1, 10, "alice"));
			assertThat(repository.finds()).hasValue(1);
		});
	}

	@Test
	void aCompletableFutureMethodCalledOnceTheCachesThreadsAreStoppedRunsUncachedInsteadOfFailing() {
		this.runner.run((context) -> {
			UserRepository repository = context.getBean(UserRepository.class);
			repository.insert(new User(41, 50, "late"));
			context.getBean(dev.tieredcache.autoconfigure.TieredCacheExecutors.class).destroy();
			assertThat(repository.memberCount(50).get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1L);
			assertThat(repository.memberCount(50).get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1L);
			assertThat(repository.members()).as("the method ran each time").hasValue(2);
		});
	}

	@Test
	void readThroughStoresTheValueInRedisWithTheConfiguredTtlPlusJitter() {
		this.runner.withPropertyValues("tiered-cache.caches.users.ttl=100s", "tiered-cache.caches.users.jitter=0.5")
			.run((context) -> {
				UserRepository repository = context.getBean(UserRepository.class);
				try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
					java.util.Set<Long> ttls = new java.util.HashSet<>();
					for (long id = 1; id <= 20; id++) {
						repository.insert(new User(id, 10, "user" + id));
						repository.find(id);
						var keys = redis.commands().keys((this.prefix + "c:{users@" + id + "}").getBytes());
						assertThat(keys).hasSize(1);
						long ttl = redis.commands().pttl(keys.get(0));
						assertThat(ttl).isBetween(95_000L, 150_000L);
						ttls.add(ttl / 1000);
					}
					assertThat(ttls).as("jitter spreads the expiries").hasSizeGreaterThan(5);
				}
			});
	}

	@Test
	void readThroughOnOneInstanceServesTheOther() {
		this.runner.run((a) -> this.runner.run((b) -> {
			UserRepository repositoryA = a.getBean(UserRepository.class);
			UserRepository repositoryB = b.getBean(UserRepository.class);
			repositoryA.insert(new User(1, 10, "alice"));
			repositoryB.insert(new User(1, 10, "alice"));
			repositoryA.find(1);
			assertThat(repositoryB.find(1)).isEqualTo(new User(1, 10, "alice"));
			assertThat(repositoryB.finds()).hasValue(0);
		}));
	}

	@Test
	void optionalIsCachedAsItsContent() {
		this.runner.run((context) -> {
			UserRepository repository = context.getBean(UserRepository.class);
			repository.insert(new User(2, 10, "bob"));
			assertThat(repository.profile(2)).contains(new User(2, 10, "bob"));
			assertThat(repository.profile(2)).contains(new User(2, 10, "bob"));
			assertThat(repository.profiles()).hasValue(1);
			assertThat(repository.profile(99)).isEmpty();
			assertThat(repository.profile(99)).isEmpty();
			assertThat(repository.profiles()).as("unless #result == null keeps empties out").hasValue(3);
		});
	}

	@Test
	void nullResultsAreCachedForTheNullTtl() {
		this.runner.run((context) -> {
			UserRepository repository = context.getBean(UserRepository.class);
			assertThat(repository.find(404)).isNull();
			assertThat(repository.find(404)).isNull();
			assertThat(repository.finds()).hasValue(1);
		});
	}

	@Test
	void completableFutureValuesAreCached() {
		this.runner.run((context) -> {
			UserRepository repository = context.getBean(UserRepository.class);
			repository.insert(new User(3, 30, "carol"));
			assertThat(repository.memberCount(30).get()).isEqualTo(1L);
			assertThat(repository.memberCount(30).get()).isEqualTo(1L);
			assertThat(repository.members()).hasValue(1);
		});
	}

	@Test
	void writeThroughOnOneInstanceIsReadByTheOtherWithoutRunningItsMethod() {
		this.runner.run((a) -> this.runner.run((b) -> TwoInstanceScenarios
			.writeThroughReachesTheOtherInstance(a.getBean(UserRepository.class), b.getBean(UserRepository.class))));
	}

	@Test
	void writeThroughInEvictModeMakesTheNextReadLoadFresh() {
		this.runner.run((context) -> {
			UserRepository repository = context.getBean(UserRepository.class);
			repository.insert(new User(5, 10, "erin"));
			repository.find(5);
			repository.saveAndEvict(new User(5, 10, "erina"));
			assertThat(repository.find(5).name()).isEqualTo("erina");
			assertThat(repository.finds()).hasValue(2);
		});
	}

	@Test
	void aFailingWriteWritesNothingAndTheExceptionReachesTheCaller() {
		this.runner.run((context) -> {
			UserRepository repository = context.getBean(UserRepository.class);
			repository.insert(new User(6, 10, "frank"));
			repository.find(6);
			assertThatIllegalStateException().isThrownBy(() -> repository.failingSave(new User(6, 10, "frankie")))
				.withMessage("database down");
			assertThat(repository.find(6).name()).isEqualTo("frank");
		});
	}

	@Test
	void invalidatingATagDropsTaggedEntriesInEveryCacheOnEveryInstance() {
		this.runner.run((a) -> this.runner.run((b) -> TwoInstanceScenarios
			.tagInvalidationReachesTheOtherInstance(a.getBean(UserRepository.class), b.getBean(UserRepository.class))));
	}

	@Test
	void bumpingAGroupMakesItsEntriesLoadFreshOnEveryInstance() {
		this.runner.run((a) -> this.runner.run((b) -> TwoInstanceScenarios
			.groupBumpReachesBothInstances(a.getBean(UserRepository.class), b.getBean(UserRepository.class))));
	}

	@Configuration(proxyBeanMethods = false)
	static class RepositoryConfiguration {

		@Bean
		UserRepository userRepository() {
			return new UserRepository();
		}

	}


}
