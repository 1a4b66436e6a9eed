package dev.tieredcache.interceptor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.tieredcache.cache.CacheStatistics.LockWaitOutcome;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.interceptor.UserRepository.User;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many callers on one cold key whose load is slow: the method runs once, in one JVM and
 * across two instances, and a lock holder that dies does not leave waiters hanging.
 */
class StampedeTests {

	private final String prefix = TestRedis.uniquePrefix("stampede");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, this.prefix)
		.withUserConfiguration(RepositoryConfiguration.class);

	@Test
	void sixtyFourThreadsOnOneColdKeyRunTheMethodOnce() {
		this.runner.run((context) -> {
			UserRepository repository = context.getBean(UserRepository.class);
			repository.insert(new User(1, 10, "alice"));
			repository.setLatency(Duration.ofMillis(200));
			List<User> results = callConcurrently(64, () -> repository.find(1));
			assertThat(results).hasSize(64).containsOnly(new User(1, 10, "alice"));
			assertThat(repository.finds()).hasValue(1);
		});
	}

	@Test
	void twoInstancesOfThirtyTwoThreadsRunTheMethodOnceInTotal() {
		this.runner.run((a) -> this.runner.run((b) -> {
			UserRepository repositoryA = a.getBean(UserRepository.class);
			UserRepository repositoryB = b.getBean(UserRepository.class);
			TwoInstanceScenarios.stampedeRunsTheMethodOnceInTotal(repositoryA, repositoryB);
			TieredCache waitingSide = ((repositoryA.finds().get() == 1) ? b : a).getBean(TieredCacheManager.class)
				.getCache("users");
			assertThat(waitingSide.getStatistics().lockWaits(LockWaitOutcome.VALUE)).isEqualTo(1);
		}));
	}

	@Test
	void waitersTakeOverWhenTheLockHolderDiesWithoutHangingPastLeasePlusWaitTimeout() {
		this.runner
			.withPropertyValues("tiered-cache.caches.users.stampede.lease=1s",
					"tiered-cache.caches.users.stampede.wait-timeout=3s")
			.run((context) -> {
				TieredCacheManager manager = context.getBean(TieredCacheManager.class);
				TieredCache cache = manager.getCache("users");
				// A dead instance: it took the load lock of key 1 and will never fill it.
				try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
					String entryId = cache.getName() + ":1";
					redis.commands()
						.set((this.prefix + "l:{" + entryId + "}").getBytes(), "dead-instance".getBytes(),
								io.lettuce.core.SetArgs.Builder.px(1000));
				}
				UserRepository repository = context.getBean(UserRepository.class);
				repository.insert(new User(1, 10, "alice"));
				long started = System.nanoTime();
				assertThat(repository.find(1)).isEqualTo(new User(1, 10, "alice"));
				long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
				assertThat(elapsedMillis).as("waited for the lease, not for the wait timeout").isBetween(500L, 3000L);
				assertThat(cache.getStatistics().lockWaits(LockWaitOutcome.TAKEOVER)).isEqualTo(1);
				assertThat(repository.finds()).hasValue(1);
			});
	}

	static <T> List<T> callConcurrently(int threads, java.util.concurrent.Callable<T> call) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<T>> futures = new ArrayList<>();
			for (int i = 0; i < threads; i++) {
				futures.add(pool.submit(() -> {
					start.await();
					return call.call();
				}));
			}
			start.countDown();
			List<T> results = new ArrayList<>();
			for (Future<T> future : futures) {
				results.add(future.get(10, TimeUnit.SECONDS));
			}
			return results;
		}
		finally {
			pool.shutdownNow();
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
