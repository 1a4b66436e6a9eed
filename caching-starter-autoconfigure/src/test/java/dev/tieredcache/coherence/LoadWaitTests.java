package dev.tieredcache.coherence;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.cache.CacheObserver;
import dev.tieredcache.cache.LoadWaitInterruptedException;
import dev.tieredcache.cache.ReadRequest;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.RedisCommandExecutor;
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
			// A generous command timeout: a lock request that timed out on a busy machine would
			// let A load without holding the lock, which is another test's business.
			ApplicationContextRunner runner = Instances.runner(redis.port(), TestRedis.uniquePrefix("waits"))
				.withPropertyValues("tiered-cache.redis.command-timeout=3s");
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
					// The waiter is parked waiting for A's notification: an interrupt now hits the
					// wait, not a Redis command.
					await().atMost(Duration.ofSeconds(5)).until(() -> isParkedIn(waiterThread.get(), "awaitWakeUp"));
					AtomicReference<Thread> followerThread = new AtomicReference<>();
					Future<Object> follower = threads.submit(() -> {
						followerThread.set(Thread.currentThread());
						return read(cacheB, () -> "loaded-by-b");
					});
					// The follower has joined the waiter's in-flight load.
					await().atMost(Duration.ofSeconds(5))
						.until(() -> followerThread.get() != null && isParkedIn(followerThread.get(), "join"));
					waiterThread.get().interrupt();
					waiter.get(5, TimeUnit.SECONDS);
					assertThat(interruptedOutcome.get()).isInstanceOf(LoadWaitInterruptedException.class);
					assertThat(flagKept).as("interrupt flag kept").isTrue();
					// The follower took over the wait for A's lock.
					await().atMost(Duration.ofSeconds(5)).until(() -> isParkedIn(followerThread.get(), "awaitWakeUp"));
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

	@Test
	void aValueStoredBetweenAMissAndTheLockRequestIsServedRatherThanLoadedAgain() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			ApplicationContextRunner runner = Instances.runner(redis.port(), TestRedis.uniquePrefix("late-fill"))
				.withPropertyValues("tiered-cache.redis.command-timeout=3s");
			AtomicReference<TieredCache> other = new AtomicReference<>();
			AtomicBoolean stored = new AtomicBoolean();
			// B's read of Redis misses; A's load stores the value right after, before B asks
			// for the lock.
			CacheObserver storeAfterTheMiss = new CacheObserver() {

				@Override
				public Object load(String cacheName, dev.tieredcache.cache.ValueLoader loader) throws Throwable {
					return loader.load();
				}

				@Override
				public <T> T readRemote(String cacheName, Supplier<T> read) {
					T entry = read.get();
					// B's first read of Redis is its miss.
					if (other.get() != null && stored.compareAndSet(false, true)) {
						try {
							read(other.get(), () -> "loaded-by-a");
						}
						catch (Exception ex) {
							throw new IllegalStateException(ex);
						}
					}
					return entry;
				}

			};
			runner.run((a) -> runner.withBean(CacheObserver.class, () -> storeAfterTheMiss).run((b) -> {
				other.set(a.getBean(TieredCacheManager.class).getCache("users"));
				TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("users");
				AtomicInteger loadsOnB = new AtomicInteger();
				assertThat(read(cacheB, () -> "loaded-by-b-" + loadsOnB.incrementAndGet())).isEqualTo("loaded-by-a");
				assertThat(stored).isTrue();
				assertThat(loadsOnB).hasValue(0);
				assertThat(redis.cli("KEYS", "*l:{*").strip()).as("no lock left").isEmpty();
			}));
		}
	}

	@Test
	void callersInterruptedDuringRedisCommandsGetTheLoadedValueAndDoNotOpenTheCircuit() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			Instances.runner(redis.port(), TestRedis.uniquePrefix("interrupted"))
				.withPropertyValues("spring.data.redis.timeout=30s", "tiered-cache.redis.command-timeout=10s",
						"tiered-cache.redis.circuit-failure-threshold=2")
				.run((context) -> {
					TieredCacheManager manager = context.getBean(TieredCacheManager.class);
					ExecutorService threads = Executors.newFixedThreadPool(3);
					List<Thread> readers = new CopyOnWriteArrayList<>();
					List<Future<Object>> reads = new ArrayList<>();
					// Reads answer, scripts (versions, lock requests) wait.
					redis.cli("CLIENT", "PAUSE", "20000", "WRITE");
					try {
						// One cache each: every caller waits for its own command.
						for (String name : List.of("users", "teams", "orders")) {
							TieredCache cache = manager.getCache(name);
							reads.add(threads.submit(() -> {
								readers.add(Thread.currentThread());
								return read(cache, () -> "db");
							}));
						}
						await().atMost(Duration.ofSeconds(5)).until(() -> readers.size() == 3
								&& readers.stream().allMatch((thread) -> isParkedIn(thread, "execute")));
						readers.forEach(Thread::interrupt);
						for (Future<Object> read : reads) {
							assertThat(read.get(5, TimeUnit.SECONDS)).isEqualTo("db");
						}
						assertThat(context.getBean(RedisCommandExecutor.class).circuit().isOpen())
							.as("an interrupted caller is not a Redis failure").isFalse();
					}
					finally {
						redis.cli("CLIENT", "UNPAUSE");
						threads.shutdownNow();
					}
				});
		}
	}

	/** Whether a thread is parked inside the given method of the read-through path. */
	private static boolean isParkedIn(Thread thread, String method) {
		Thread.State state = thread.getState();
		return (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING)
				&& Arrays.stream(thread.getStackTrace())
					.anyMatch((frame) -> frame.getClassName().startsWith("dev.tieredcache.")
							&& frame.getMethodName().equals(method));
	}

	private static Object read(TieredCache cache, dev.tieredcache.cache.ValueLoader loader) throws Exception {
		return read(cache, "1", loader);
	}

	private static Object read(TieredCache cache, String key, dev.tieredcache.cache.ValueLoader loader)
			throws Exception {
		return readTagged(cache, key, new String[0], loader);
	}

	private static Object readTagged(TieredCache cache, String[] tags, dev.tieredcache.cache.ValueLoader loader)
			throws Exception {
		return readTagged(cache, "1", tags, loader);
	}

	private static Object readTagged(TieredCache cache, String key, String[] tags,
			dev.tieredcache.cache.ValueLoader loader) throws Exception {
		try {
			return cache.readThrough(ReadRequest.of(key, tags, loader, null, null));
		}
		catch (Exception | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

}
