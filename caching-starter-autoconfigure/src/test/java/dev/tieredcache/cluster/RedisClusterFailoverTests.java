package dev.tieredcache.cluster;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.interceptor.TwoInstanceScenarios;
import dev.tieredcache.interceptor.UserRepository;
import dev.tieredcache.interceptor.UserRepository.User;
import dev.tieredcache.test.RedisClusterProcess;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A master of a real Redis Cluster dies under load: callers on two instances never see an
 * error (they fall back to L1 and the loaders while Redis fails), and once a replica is
 * promoted caching resumes on every slot, including the failed-over ones.
 */
class RedisClusterFailoverTests {

	private static final int USERS = 30;

	private final String prefix = TestRedis.uniquePrefix("cluster-failover");

	@Test
	void killingAMasterCostsCallersNothingAndCachingResumesAfterFailover() throws Exception {
		try (RedisClusterProcess cluster = RedisClusterProcess.start(3, 1)) {
			ApplicationContextRunner runner = ClusterInstances.runner(cluster, this.prefix)
				.withPropertyValues("spring.data.redis.lettuce.cluster.refresh.adaptive=true",
						"spring.data.redis.lettuce.cluster.refresh.period=1s",
						"tiered-cache.redis.circuit-open-duration=500ms")
				.withUserConfiguration(RepositoryConfiguration.class);
			runner.run((a) -> runner.run((b) -> {
				UserRepository repositoryA = a.getBean(UserRepository.class);
				UserRepository repositoryB = b.getBean(UserRepository.class);
				for (long id = 1; id <= USERS; id++) {
					repositoryA.insert(new User(id, 10, "user " + id));
					repositoryB.insert(new User(id, 10, "user " + id));
					repositoryA.find(id);
				}
				await().atMost(Duration.ofSeconds(5)).until(() -> subscribers(cluster, this.prefix).values().stream()
					.mapToInt(Integer::intValue).sum() == 2);
				// The master holding a subscription if there is one: the harder case.
				Map<Integer, Integer> subscribers = subscribers(cluster, this.prefix);
				Map<Integer, Integer> keys = ClusterInstances.keysPerMaster(cluster, this.prefix);
				int victim = keys.keySet().stream().filter((port) -> subscribers.getOrDefault(port, 0) > 0).findFirst()
					.orElseGet(() -> keys.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey());
				System.out.println("Subscribers per node " + subscribers + ", keys per master " + keys + ", killing " + victim);
				assertThat(keys.get(victim)).isPositive();

				ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
				AtomicLong calls = new AtomicLong();
				AtomicBoolean running = new AtomicBoolean(true);
				ExecutorService load = Executors.newFixedThreadPool(4);
				for (UserRepository repository : new UserRepository[] { repositoryA, repositoryA, repositoryB,
						repositoryB }) {
					load.execute(() -> TwoInstanceScenarios.callUntilStopped(repository, USERS, running, calls, errors));
				}
				try {
					long before = calls.get();
					await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() > before + 100);
					long started = System.nanoTime();
					cluster.killMasterAndAwaitFailover(victim, Duration.ofSeconds(30));
					long failoverMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
					long afterFailover = calls.get();
					await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() > afterFailover + 100);
					System.out.println("Failover took " + failoverMillis + " ms; calls so far: " + calls.get());
				}
				finally {
					running.set(false);
					load.shutdown();
					assertThat(load.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
				}
				assertThat(errors).as("exceptions seen by callers").isEmpty();

				// Caching resumes on every slot: what A loads, B reads from Redis without loading.
				TieredCache usersOnB = b.getBean(TieredCacheManager.class).getCache("users");
				await("caching resumes on every master").atMost(Duration.ofSeconds(20))
					.pollInterval(Duration.ofMillis(200))
					.untilAsserted(() -> TwoInstanceScenarios.cachingWorksAcrossInstances(repositoryA, repositoryB,
							usersOnB, USERS));
				await("both instances subscribed again").atMost(Duration.ofSeconds(10))
					.until(() -> subscribers(cluster, this.prefix).values().stream().mapToInt(Integer::intValue).sum() == 2);
				repositoryB.find(1);
				repositoryA.save(new User(1, 10, "renamed"));
				await("an invalidation reaches B").atMost(Duration.ofSeconds(2))
					.until(() -> repositoryB.find(1).name().equals("renamed"));
				assertThat(ClusterInstances.keysPerMaster(cluster, this.prefix).values())
					.as("the promoted replica serves the failed master's slots")
					.hasSize(3)
					.allMatch((count) -> count > 0);
			}));
		}
	}

	private static Map<Integer, Integer> subscribers(RedisClusterProcess cluster, String prefix) throws Exception {
		Map<Integer, Integer> subscribers = new TreeMap<>();
		for (int port : cluster.livePorts()) {
			String[] numsub = cluster.cli(port, "pubsub", "numsub", prefix + "invalidation").split("\\s+");
			subscribers.put(port, Integer.parseInt(numsub[numsub.length - 1]));
		}
		return subscribers;
	}

	@Configuration(proxyBeanMethods = false)
	static class RepositoryConfiguration {

		@Bean
		UserRepository userRepository() {
			return new UserRepository();
		}

	}

}
