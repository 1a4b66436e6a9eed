package dev.tieredcache.cluster;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.tieredcache.cache.CacheStatistics.Tier;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.existence.ExistenceFilter;
import dev.tieredcache.existence.ExistenceFilters;
import dev.tieredcache.existence.ExistingKeys;
import dev.tieredcache.existence.Users;
import dev.tieredcache.interceptor.TwoInstanceScenarios;
import dev.tieredcache.interceptor.UserRepository;
import dev.tieredcache.interceptor.UserRepository.User;
import dev.tieredcache.redis.InvalidationSubscription;
import dev.tieredcache.test.RedisClusterProcess;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The annotation suite's core cases against a real Redis Cluster (three masters, one
 * replica each, on loopback), configured only through {@code spring.data.redis.cluster.*}:
 * two application contexts as two instances of a service.
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisClusterTests {

	private static RedisClusterProcess cluster;

	private final String prefix = TestRedis.uniquePrefix("cluster");

	private final ApplicationContextRunner runner = ClusterInstances.runner(cluster, this.prefix)
		.withUserConfiguration(RepositoryConfiguration.class);

	@BeforeAll
	static void startCluster() throws Exception {
		cluster = RedisClusterProcess.start(3, 1);
	}

	@AfterAll
	static void stopCluster() throws Exception {
		if (cluster != null) {
			cluster.close();
		}
	}

	@Test
	void readThroughRunsTheMethodOnceAndTheOtherInstanceReadsRedisOnEveryMaster() {
		this.runner.run((a) -> this.runner.run((b) -> {
			UserRepository repositoryA = a.getBean(UserRepository.class);
			UserRepository repositoryB = b.getBean(UserRepository.class);
			for (long id = 1; id <= 30; id++) {
				repositoryA.insert(new User(id, 10, "user " + id));
				repositoryB.insert(new User(id, 10, "user " + id));
				assertThat(repositoryA.find(id)).isEqualTo(new User(id, 10, "user " + id));
				assertThat(repositoryA.find(id)).isEqualTo(new User(id, 10, "user " + id));
			}
			assertThat(repositoryA.finds()).hasValue(30);
			for (long id = 1; id <= 30; id++) {
				assertThat(repositoryB.find(id)).isEqualTo(new User(id, 10, "user " + id));
			}
			assertThat(repositoryB.finds()).as("B read every entry from Redis").hasValue(0);
			assertThat(b.getBean(TieredCacheManager.class).getCache("users").getStatistics().hits(Tier.L2))
				.isEqualTo(30);
			assertThat(ClusterInstances.keysPerMaster(cluster, this.prefix).values())
				.as("the entries are spread over every master, not confined to one node")
				.hasSize(3)
				.allMatch((count) -> count > 0);
		}));
	}

	@Test
	void everyInstanceSubscribesToTheInvalidationChannelOnTheCluster() {
		this.runner.run((a) -> this.runner.run((b) -> {
			await().atMost(Duration.ofSeconds(5))
				.until(() -> a.getBean(InvalidationSubscription.class).isListening()
						&& b.getBean(InvalidationSubscription.class).isListening());
			long subscribers = 0;
			for (int port : cluster.livePorts()) {
				String[] numsub = cluster.cli(port, "pubsub", "numsub", this.prefix + "invalidation").split("\\s+");
				subscribers += Long.parseLong(numsub[numsub.length - 1]);
			}
			assertThat(subscribers).isEqualTo(2);
		}));
	}

	@Test
	void twoInstancesOfThirtyTwoThreadsRunTheMethodOnceInTotal() {
		this.runner.run((a) -> this.runner.run((b) -> TwoInstanceScenarios
			.stampedeRunsTheMethodOnceInTotal(a.getBean(UserRepository.class), b.getBean(UserRepository.class))));
	}

	@Test
	void invalidatingATagOnOneInstanceDropsTaggedEntriesOnTheOtherAndKeepsOtherTags() {
		this.runner.run((a) -> this.runner.run((b) -> TwoInstanceScenarios
			.tagInvalidationReachesTheOtherInstance(a.getBean(UserRepository.class), b.getBean(UserRepository.class))));
	}

	@Test
	void bumpingAGroupMakesItsEntriesLoadFreshOnBothInstancesAndLeavesOtherGroupsCached() {
		this.runner.run((a) -> this.runner.run((b) -> TwoInstanceScenarios
			.groupBumpReachesBothInstances(a.getBean(UserRepository.class), b.getBean(UserRepository.class))));
	}

	@Test
	void writeThroughOnOneInstanceIsReadByTheOtherWithoutRunningItsMethod() {
		this.runner.run((a) -> this.runner.run((b) -> TwoInstanceScenarios
			.writeThroughReachesTheOtherInstance(a.getBean(UserRepository.class), b.getBean(UserRepository.class))));
	}

	@Test
	void clearOnOneInstanceEmptiesTheCacheOnTheOtherOnEveryMaster() {
		this.runner.run((a) -> this.runner.run((b) -> {
			UserRepository repositoryA = a.getBean(UserRepository.class);
			UserRepository repositoryB = b.getBean(UserRepository.class);
			for (long id = 1; id <= 20; id++) {
				repositoryA.insert(new User(id, 10, "user " + id));
				repositoryB.insert(new User(id, 10, "user " + id));
				repositoryA.find(id);
				repositoryB.find(id);
			}
			assertThat(repositoryB.finds()).hasValue(0);
			TieredCache usersOnA = a.getBean(TieredCacheManager.class).getCache("users");
			usersOnA.clear();
			await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> {
				int before = repositoryB.finds().get();
				repositoryB.find(1);
				assertThat(repositoryB.finds()).hasValue(before + 1);
			});
			for (long id = 2; id <= 20; id++) {
				repositoryB.find(id);
			}
			assertThat(repositoryB.finds()).as("every key, whatever its slot, is gone").hasValue(20);
		}));
	}

	@Test
	void writesLostOnOneFailingMasterReachTheOtherInstanceWhileTheOtherMastersAnswer() throws Exception {
		ApplicationContextRunner runner = this.runner.withPropertyValues("tiered-cache.redis.command-timeout=300ms",
				"tiered-cache.redis.circuit-failure-threshold=1000", "tiered-cache.redis.repair-interval=200ms",
				"tiered-cache.defaults.local.ttl=5m");
		runner.run((a) -> runner.run((b) -> {
			TieredCache cacheA = a.getBean(TieredCacheManager.class).getCache("users");
			TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("users");
			int keys = 30;
			for (long id = 1; id <= keys; id++) {
				cacheA.put(id, "v1");
			}
			await().atMost(Duration.ofSeconds(5)).until(() -> {
				for (long id = 1; id <= keys; id++) {
					if (!"v1".equals(cacheB.get(id, String.class))) {
						return false;
					}
				}
				return true;
			});
			int failing = cluster.masterPorts().get(0);
			long before = cluster.dbsize(failing);
			assertThat(before).as("keys on the failing master").isPositive();
			cluster.cli(failing, "CLIENT", "PAUSE", "20000", "WRITE");
			try {
				for (long id = 1; id <= keys; id++) {
					cacheA.put(id, "v2");
				}
				cluster.cli(failing, "CLIENT", "KILL", "TYPE", "normal");
			}
			finally {
				cluster.cli(failing, "CLIENT", "UNPAUSE");
			}
			assertThat(a.getBean(TieredCacheManager.class).pendingInvalidations()).as("writes lost on one master")
				.isPositive();
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				for (long id = 1; id <= keys; id++) {
					assertThat(cacheB.get(id, String.class)).as("key %d on B", id).isNotEqualTo("v1");
				}
			});
		}));
	}

	@Test
	void warnsAtStartUpWhenLettuceNeverRefreshesTheClusterTopology(CapturedOutput output) {
		this.runner.run((context) -> assertThat(output).contains("Redis Cluster topology refresh is off")
			.contains("spring.data.redis.lettuce.cluster.refresh.adaptive=true"));
	}

	@Test
	void staysQuietWhenLettuceRefreshesTheClusterTopology(CapturedOutput output) {
		this.runner.withPropertyValues("spring.data.redis.lettuce.cluster.refresh.adaptive=true")
			.run((context) -> assertThat(output).doesNotContain("Redis Cluster topology refresh is off"));
	}

	@Test
	void anExistenceFilterLivesInOneSlotAndWorksOnACluster() {
		Users users = new Users();
		users.insert(0, 1000);
		ApplicationContextRunner filtered = ClusterInstances.runner(cluster, this.prefix)
			.withBean(Users.class, () -> users)
			.withBean(ExistingKeys.class, () -> ExistingKeys.of("users", users::ids))
			.withPropertyValues("tiered-cache.caches.users.existence-filter.enabled=true",
					"tiered-cache.caches.users.existence-filter.expected-keys=1000");
		filtered.run((a) -> filtered.run((b) -> {
			TieredCache cacheA = a.getBean(TieredCacheManager.class).getCache("users");
			TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("users");
			ExistenceFilters filtersA = a.getBean(ExistenceFilters.class);
			// Whichever instance built it at start-up, a rebuild finds the lock free afterwards.
			await().atMost(Duration.ofSeconds(20))
				.until(() -> filtersA.rebuild("users").outcome() == ExistenceFilter.Outcome.REBUILT);
			for (long id = 0; id < 1000; id += 37) {
				long key = id;
				assertThat(cacheB.get(key, () -> users.load(key))).isEqualTo("user " + id);
			}
			int loads = users.finds();
			for (long id = -1; id >= -100; id--) {
				long key = id;
				assertThat(cacheB.get(key, () -> users.load(key))).isNull();
			}
			assertThat(users.finds() - loads).as("absent ids loaded").isLessThanOrEqualTo(10);
			a.getBean(Users.class).save(5000, "user 5000");
			cacheA.evict(5000L);
			assertThat(cacheB.get(5000L, () -> users.load(5000L))).isEqualTo("user 5000");
		}));
	}

	@Configuration(proxyBeanMethods = false)
	static class RepositoryConfiguration {

		@Bean
		UserRepository userRepository() {
			return new UserRepository();
		}

	}

}
