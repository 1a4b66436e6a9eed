package dev.tieredcache.cluster;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.interceptor.TwoInstanceScenarios;
import dev.tieredcache.interceptor.UserRepository;
import dev.tieredcache.interceptor.UserRepository.User;
import dev.tieredcache.test.RedisSentinelProcess;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A sentinel-watched master dies while two instances read: callers never see an error, and
 * once the sentinel has promoted the replica, values are stored on and read from the new
 * master. Configured only through {@code spring.data.redis.sentinel.*}.
 */
class RedisSentinelFailoverTests {

	private static final int USERS = 20;

	private final String prefix = TestRedis.uniquePrefix("sentinel");

	@ParameterizedTest(name = "{0} sentinel(s)")
	@ValueSource(ints = { 1, 3 })
	void aFailoverDuringReadsCostsCallersNothingAndCachingResumesOnTheNewMaster(int sentinelCount) throws Exception {
		try (RedisSentinelProcess sentinels = RedisSentinelProcess.start(sentinelCount)) {
			ApplicationContextRunner runner = ClusterInstances.runner(sentinels, this.prefix)
				.withPropertyValues("tiered-cache.redis.circuit-open-duration=500ms")
				.withUserConfiguration(RepositoryConfiguration.class);
			runner.run((a) -> runner.run((b) -> {
				UserRepository repositoryA = a.getBean(UserRepository.class);
				UserRepository repositoryB = b.getBean(UserRepository.class);
				for (long id = 1; id <= USERS; id++) {
					repositoryA.insert(new User(id, 10, "user " + id));
					repositoryB.insert(new User(id, 10, "user " + id));
					repositoryA.find(id);
					repositoryB.find(id);
				}
				assertThat(repositoryB.finds()).as("B read A's entries from the master").hasValue(0);

				ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
				AtomicLong calls = new AtomicLong();
				AtomicBoolean running = new AtomicBoolean(true);
				ExecutorService load = Executors.newFixedThreadPool(4);
				for (UserRepository repository : new UserRepository[] { repositoryA, repositoryA, repositoryB,
						repositoryB }) {
					load.execute(() -> TwoInstanceScenarios.callUntilStopped(repository, USERS, running, calls, errors));
				}
				int newMaster;
				try {
					long before = calls.get();
					await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() > before + 100);
					long started = System.nanoTime();
					newMaster = sentinels.killMasterAndAwaitFailover(Duration.ofSeconds(30));
					long failoverMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
					long afterFailover = calls.get();
					await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() > afterFailover + 100);
					System.out.println("Sentinel failover took " + failoverMillis + " ms; calls so far: " + calls.get());
				}
				finally {
					running.set(false);
					load.shutdown();
					assertThat(load.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
				}
				assertThat(errors).as("exceptions seen by callers").isEmpty();
				assertThat(sentinels.masterPort()).isEqualTo(newMaster);

				TieredCache usersOnB = b.getBean(TieredCacheManager.class).getCache("users");
				await("caching resumes on the new master").atMost(Duration.ofSeconds(30))
					.pollInterval(Duration.ofMillis(200))
					.untilAsserted(() -> TwoInstanceScenarios.cachingWorksAcrossInstances(repositoryA, repositoryB,
							usersOnB, USERS));
				assertThat(sentinels.cliOnMaster("--scan", "--pattern", this.prefix + "c:*").lines().count())
					.as("entries stored on the new master")
					.isGreaterThanOrEqualTo(USERS);
			}));
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
