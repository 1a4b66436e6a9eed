package dev.tieredcache.coherence;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.cache.LoadWaitInterruptedException;
import dev.tieredcache.cache.ReadRequest;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.RedisKeyLayout.VersionKind;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.RedisServerProcess;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Callers waiting for a load, and loads that Redis half-answered (issue 11, case 7).
 */
class LoadWaitTests {

	@Test
	void anInterruptedWaiterKeepsItsFlagAndTheOthersStillGetTheValue() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			ApplicationContextRunner runner = Instances.runner(redis.port(), TestRedis.uniquePrefix("waits"));
			runner.run((a) -> runner.run((b) -> {
				TieredCache cacheA = a.getBean(TieredCacheManager.class).getCache("users");
				TieredCacheManager managerB = b.getBean(TieredCacheManager.class);
				TieredCache cacheB = managerB.getCache("users");
				CountDownLatch loading = new CountDownLatch(1);
				CountDownLatch release = new CountDownLatch(1);
				ExecutorService threads = Executors.newFixedThreadPool(3);
				try {
					Future<Object> holder = threads.submit(() -> read(cacheA, () -> {
						loading.countDown();
						release.await(10, TimeUnit.SECONDS);
						return "value";
					}));
					assertThat(loading.await(5, TimeUnit.SECONDS)).isTrue();
					// On B: one caller waits for A's lock, another for that caller.
					AtomicReference<Throwable> interruptedOutcome = new AtomicReference<>();
					AtomicBoolean flagKept = new AtomicBoolean();
					AtomicReference<Thread> waiterThread = new AtomicReference<>();
					Future<?> waiter = threads.submit(() -> {
						waiterThread.set(Thread.currentThread());
						try {
							read(cacheB, () -> "loaded-by-b");
						}
						catch (Throwable ex) {
							interruptedOutcome.set(ex);
							flagKept.set(Thread.currentThread().isInterrupted());
						}
						return null;
					});
					await().atMost(Duration.ofSeconds(5)).until(() -> managerB.getServices().waiters().size() == 1);
					Future<Object> follower = threads.submit(() -> read(cacheB, () -> "loaded-by-b"));
					waiterThread.get().interrupt();
					waiter.get(5, TimeUnit.SECONDS);
					assertThat(interruptedOutcome.get()).isInstanceOf(LoadWaitInterruptedException.class);
					assertThat(flagKept).as("interrupt flag kept").isTrue();
					release.countDown();
					assertThat(holder.get(10, TimeUnit.SECONDS)).isEqualTo("value");
					assertThat(follower.get(10, TimeUnit.SECONDS)).as("not shared with the other waiter")
						.isEqualTo("value");
					await().atMost(Duration.ofSeconds(5)).until(() -> managerB.getServices().waiters().size() == 0);
				}
				finally {
					release.countDown();
					threads.shutdownNow();
				}
			}));
		}
	}

	@Test
	void aLockTakenByACommandThatTimedOutIsGivenBackBeforeItsLease() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			ApplicationContextRunner runner = Instances.runner(redis.port(), TestRedis.uniquePrefix("late-lock"))
				.withPropertyValues("tiered-cache.redis.command-timeout=300ms",
						"tiered-cache.redis.circuit-failure-threshold=10", "tiered-cache.redis.repair-interval=200ms",
						"tiered-cache.defaults.stampede.lease=30s", "tiered-cache.defaults.stampede.wait-timeout=30s");
			runner.run((a) -> runner.run((b) -> {
				TieredCache cacheA = a.getBean(TieredCacheManager.class).getCache("users");
				TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("users");
				redis.cli("CLIENT", "PAUSE", "5000", "WRITE");
				try {
					// The lock request times out on A, which loads by itself...
					assertThat(read(cacheA, () -> "a")).isEqualTo("a");
				}
				finally {
					// ...and Redis then runs it: A holds the lock without knowing it.
					redis.cli("CLIENT", "UNPAUSE");
				}
				long started = System.nanoTime();
				assertThat(read(cacheB, () -> "b")).isIn("a", "b");
				assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started))
					.as("B did not wait out the 30 s lease").isLessThan(15);
			}));
		}
	}

	@Test
	void aLoadWithoutRedisNotesTagVersionsBeforeTheLoaderRuns() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			Instances.runner(redis.port(), TestRedis.uniquePrefix("local-load"))
				.withPropertyValues("tiered-cache.redis.circuit-failure-threshold=1",
						"tiered-cache.redis.circuit-open-duration=1h", "tiered-cache.redis.command-timeout=200ms")
				.run((context) -> {
					TieredCacheManager manager = context.getBean(TieredCacheManager.class);
					TieredCache cache = manager.getCache("users");
					String[] tags = { "team" };
					assertThat(readTagged(cache, tags, () -> "warm")).isEqualTo("warm");
					long version = manager.getServices().tags().current("team");
					cache.clearLocal();
					redis.pause();
					try {
						// The circuit opens on the first read; the tag then moves on during the load
						// (a message from another instance that still reaches this one).
						assertThat(readTagged(cache, tags, () -> {
							manager.versionChanged(VersionKind.TAG, "team", version + 1);
							return "old";
						})).isEqualTo("old");
						assertThat(readTagged(cache, tags, () -> "new")).as("the old value is not current")
							.isEqualTo("new");
					}
					finally {
						redis.resume();
					}
				});
		}
	}

	private static Object read(TieredCache cache, dev.tieredcache.cache.ValueLoader loader) throws Exception {
		return readTagged(cache, new String[0], loader);
	}

	private static Object readTagged(TieredCache cache, String[] tags, dev.tieredcache.cache.ValueLoader loader)
			throws Exception {
		try {
			return cache.readThrough(ReadRequest.of("1", tags, loader, null, null));
		}
		catch (Exception | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

}
