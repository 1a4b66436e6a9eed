package dev.tieredcache.interceptor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.tieredcache.cache.CacheStatistics.Tier;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.interceptor.UserRepository.User;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The core annotation cases across two instances, written once and run against a single
 * Redis and against a Redis Cluster: each takes the {@link UserRepository} of instance A and
 * of instance B.
 */
public final class TwoInstanceScenarios {

	private TwoInstanceScenarios() {
	}

	/** 32 threads per instance on one cold key whose method takes 200 ms: one run in total. */
	public static void stampedeRunsTheMethodOnceInTotal(UserRepository a, UserRepository b) throws Exception {
		for (UserRepository repository : List.of(a, b)) {
			repository.insert(new User(1, 10, "alice"));
			repository.setLatency(Duration.ofMillis(200));
		}
		ExecutorService pool = Executors.newFixedThreadPool(64);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<User>> futures = new ArrayList<>();
			for (int i = 0; i < 64; i++) {
				UserRepository repository = (i % 2 == 0) ? a : b;
				futures.add(pool.submit(() -> {
					start.await();
					return repository.find(1);
				}));
			}
			start.countDown();
			for (Future<User> future : futures) {
				assertThat(future.get(10, TimeUnit.SECONDS)).isEqualTo(new User(1, 10, "alice"));
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(a.finds().get() + b.finds().get()).isEqualTo(1);
	}

	/** A tag invalidated on A drops tagged entries of two caches on B; other tags stay. */
	public static void tagInvalidationReachesTheOtherInstance(UserRepository a, UserRepository b) {
		for (UserRepository repository : List.of(a, b)) {
			repository.insert(new User(1, 10, "alice"));
			repository.insert(new User(2, 10, "bob"));
		}
		b.find(1);
		b.profile(1);
		b.find(2);
		a.moveUser(1, 10, 20);
		await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> {
			int before = b.finds().get();
			b.find(1);
			assertThat(b.finds()).hasValue(before + 1);
		});
		int profiles = b.profiles().get();
		b.profile(1);
		assertThat(b.profiles()).hasValue(profiles + 1);
		int finds = b.finds().get();
		b.find(2);
		assertThat(b.finds()).as("user:2 is still cached").hasValue(finds);
	}

	/** A group bumped on A loads fresh on both instances; another group keeps hitting. */
	public static void groupBumpReachesBothInstances(UserRepository a, UserRepository b) {
		String first = a.dashboard(1, 10);
		assertThat(b.dashboard(1, 10)).isEqualTo(first);
		String otherTeam = a.dashboard(2, 20);
		assertThat(b.dashboard(2, 20)).isEqualTo(otherTeam);
		assertThat(b.dashboards()).as("B read both from Redis").hasValue(0);
		a.publishTeamReport(10);
		await().atMost(Duration.ofSeconds(1))
			.until(() -> !a.dashboard(1, 10).equals(first) && !b.dashboard(1, 10).equals(first));
		assertThat(a.dashboard(2, 20)).isEqualTo(otherTeam);
		assertThat(b.dashboard(2, 20)).isEqualTo(otherTeam);
		assertThat(a.dashboards()).as("only team 10's entry was loaded again").hasValue(3);
	}

	/** A write-through on A is read by B without running B's method. */
	public static void writeThroughReachesTheOtherInstance(UserRepository a, UserRepository b) {
		b.insert(new User(4, 10, "dave"));
		assertThat(b.find(4).name()).isEqualTo("dave");
		a.save(new User(4, 10, "david"));
		await().atMost(Duration.ofSeconds(1)).until(() -> b.find(4).name().equals("david"));
		assertThat(b.finds()).hasValue(1);
	}

	/**
	 * Reads (nine in ten) and writes random users 1..{@code users} until told to stop,
	 * paced so that two cores also run Redis and its failover; every exception that reaches
	 * the caller is collected.
	 */
	public static void callUntilStopped(UserRepository repository, int users, AtomicBoolean running, AtomicLong calls,
			Queue<Throwable> errors) {
		while (running.get()) {
			long id = ThreadLocalRandom.current().nextLong(1, users + 1);
			try {
				if (ThreadLocalRandom.current().nextInt(10) == 0) {
					repository.save(new User(id, 10, "user " + id));
				}
				else {
					assertThat(repository.find(id)).isNotNull();
				}
				calls.incrementAndGet();
				TimeUnit.MILLISECONDS.sleep(1);
			}
			catch (Throwable ex) {
				errors.add(ex);
			}
		}
	}

	/**
	 * Asserts that caching works across the instances again: what A loads, B reads from
	 * Redis without running its method. Fresh ids each time, so it can be retried.
	 */
	public static void cachingWorksAcrossInstances(UserRepository a, UserRepository b, TieredCache cacheOnB,
			int users) {
		long round = ThreadLocalRandom.current().nextLong(1_000_000) * 1000;
		int finds = b.finds().get();
		long l2Hits = cacheOnB.getStatistics().hits(Tier.L2);
		for (long id = round + 1; id <= round + users; id++) {
			a.insert(new User(id, 20, "new " + id));
			a.find(id);
		}
		for (long id = round + 1; id <= round + users; id++) {
			assertThat(b.find(id)).isNotNull();
		}
		assertThat(b.finds()).as("B loaded nothing itself").hasValue(finds);
		assertThat(cacheOnB.getStatistics().hits(Tier.L2) - l2Hits).isEqualTo(users);
	}

}
