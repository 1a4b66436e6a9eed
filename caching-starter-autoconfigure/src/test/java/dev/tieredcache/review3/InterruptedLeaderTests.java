package dev.tieredcache.review3;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.tieredcache.cache.ReadRequest;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.cache.ValueLoader;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.RedisServerProcess;
import dev.tieredcache.test.TestRedis;
import dev.tieredcache.test.TestThreads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * review3: a caller that was not interrupted gets another caller's interruption as the
 * outcome of its read.
 *
 * <p>Sequence: Redis holds writes back (CLIENT PAUSE WRITE), so the first caller of a key
 * (the in-flight leader) waits inside {@code RedisCommandExecutor.execute} for a script of
 * its miss; a second caller of the same key joins the leader's in-flight load. The leader
 * is interrupted: the executor now answers RedisUnavailableException ("interrupted") and
 * leaves the interrupt flag set, and the leader falls back to loading locally on its still
 * interrupted thread. A loader that honours interrupts (blocking on a connection pool, such
 * as HikariCP's getConnection, an HTTP client, a queue; here a sleep) fails at once, and
 * {@code InFlightLoads.fail} hands that failure to the joiner. InFlightLoads is designed
 * for the opposite ("its joiners claim the key again rather than share the claimer's own
 * interruption"), which holds when the interrupt hits the lock wait
 * (LoadWaitInterruptedException), not when it hits a Redis command.
 *
 * <p>Expected: the joiner, never interrupted, gets the value; observed: it fails with the
 * leader's interruption.
 */
class InterruptedLeaderTests {

	@Test
	void aJoinerDoesNotShareTheLeadersInterruption() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			Instances.runner(redis.port(), TestRedis.uniquePrefix("review3-leader"))
				.withPropertyValues("spring.data.redis.timeout=30s", "tiered-cache.redis.command-timeout=10s")
				.run((context) -> {
					TieredCache cache = context.getBean(TieredCacheManager.class).getCache("users");
					// Honours interrupts, as a pool or a client does.
					ValueLoader loader = () -> {
						Thread.sleep(100);
						return "db";
					};
					AtomicReference<Thread> leaderThread = new AtomicReference<>();
					AtomicReference<Thread> joinerThread = new AtomicReference<>();
					redis.cli("CLIENT", "PAUSE", "20000", "WRITE");
					try {
						CompletableFuture<Object> leader = CompletableFuture.supplyAsync(() -> {
							leaderThread.set(Thread.currentThread());
							return read(cache, loader);
						}, TestThreads.EACH_ON_ITS_OWN);
						await().atMost(Duration.ofSeconds(5))
							.until(() -> leaderThread.get() != null && isParkedIn(leaderThread.get(), "execute"));
						CompletableFuture<Object> joiner = CompletableFuture.supplyAsync(() -> {
							joinerThread.set(Thread.currentThread());
							return read(cache, loader);
						}, TestThreads.EACH_ON_ITS_OWN);
						await().atMost(Duration.ofSeconds(5))
							.until(() -> joinerThread.get() != null && isParkedIn(joinerThread.get(), "join"));
						leaderThread.get().interrupt();
						// The leader gives up; Redis answers the joiner, which now loads by itself.
						await().atMost(Duration.ofSeconds(5)).until(leader::isDone);
						redis.cli("CLIENT", "UNPAUSE");
						Object value;
						try {
							value = joiner.get(10, TimeUnit.SECONDS);
						}
						catch (ExecutionException ex) {
							value = ex.getCause();
						}
						assertThat(value).as("the joiner was never interrupted").isEqualTo("db");
					}
					finally {
						redis.cli("CLIENT", "UNPAUSE");
					}
				});
		}
	}

	private static Object read(TieredCache cache, ValueLoader loader) {
		try {
			return cache.readThrough(ReadRequest.of("1", loader));
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static boolean isParkedIn(Thread thread, String method) {
		Thread.State state = thread.getState();
		return (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING)
				&& Arrays.stream(thread.getStackTrace())
					.anyMatch((frame) -> frame.getClassName().startsWith("dev.tieredcache.")
							&& frame.getMethodName().equals(method));
	}

}
