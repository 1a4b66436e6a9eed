package dev.tieredcache.review3;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.tieredcache.interceptor.UserRepository;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.RedisServerProcess;
import dev.tieredcache.test.TestRedis;
import dev.tieredcache.test.TestThreads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * review3: a {@code @VersionedGroup(bump = true)} write whose bump command is interrupted
 * fails the caller with RedisUnavailableException, although a cache failure must never
 * fail a write and an interrupted Redis command is meant to fall back ("records the change
 * for repair").
 *
 * <p>Sequence: Redis holds writes back (CLIENT PAUSE WRITE), so the bump script waits; the
 * caller (its method already ran: the database was written) is interrupted while parked
 * in {@code RedisCommandExecutor.execute}. The executor now throws
 * RedisUnavailableException ("interrupted") and keeps the interrupt flag;
 * {@code DefaultTieredCacheOperations.bumpVersion} records the bump for repair, clears L1,
 * then answers {@code currentVersion(group)}: the group's version is not known on this
 * instance, so it is read from Redis, on a thread whose interrupt flag is set, which fails
 * at once with RedisUnavailableException. That exception leaves bumpVersion; the
 * interceptor runs the bump outside its {@code safely(...)} guard (unlike writes and tag
 * invalidations), so it reaches the application's caller. (The same happens without any
 * interrupt when Redis is down and the group was never read here.)
 *
 * <p>Expected: the call returns normally (the bump is replayed later).
 */
class InterruptedGroupBumpTests {

	@Test
	void anInterruptedGroupBumpDoesNotFailTheWrite() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			Instances.runner(redis.port(), TestRedis.uniquePrefix("review3-bump"))
				.withPropertyValues("spring.data.redis.timeout=30s", "tiered-cache.redis.command-timeout=10s")
				.withBean(UserRepository.class)
				.run((context) -> {
					UserRepository repository = context.getBean(UserRepository.class);
					AtomicReference<Thread> caller = new AtomicReference<>();
					redis.cli("CLIENT", "PAUSE", "20000", "WRITE");
					try {
						CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
							caller.set(Thread.currentThread());
							repository.publishTeamReport(7);
						}, TestThreads.EACH_ON_ITS_OWN);
						await().atMost(Duration.ofSeconds(5))
							.until(() -> caller.get() != null && isParkedIn(caller.get(), "execute"));
						caller.get().interrupt();
						Throwable failure = null;
						try {
							write.get(5, TimeUnit.SECONDS);
						}
						catch (ExecutionException ex) {
							failure = ex.getCause();
						}
						assertThat(failure).as("a cache failure must not fail the write").isNull();
					}
					finally {
						redis.cli("CLIENT", "UNPAUSE");
					}
				});
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
