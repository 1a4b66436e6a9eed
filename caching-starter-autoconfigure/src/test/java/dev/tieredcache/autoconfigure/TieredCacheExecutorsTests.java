package dev.tieredcache.autoconfigure;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.MDC;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.task.TaskDecorator;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The tiered cache's thread pools: virtual threads when Spring Boot asks for them, the
 * application's task decorator, and a shutdown that lets the work under way finish, leaves
 * no future pending and says what it had to cut short. Against the real Redis where a cache is involved.
 */
@ExtendWith(OutputCaptureExtension.class)
class TieredCacheExecutorsTests {

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT,
			TestRedis.uniquePrefix("executors"));

	private final ExecutorService closer = Executors.newSingleThreadExecutor();

	@AfterEach
	void stopCloser() {
		this.closer.shutdownNow();
	}

	@Test
	void anAsynchronousReadAskedForAfterTheContextClosedFailsItsFutureAtOnce() {
		AtomicReference<TieredCache> late = new AtomicReference<>();
		AtomicReference<TieredCacheExecutors> executors = new AtomicReference<>();
		this.runner.run((context) -> {
			late.set(context.getBean(TieredCacheManager.class).getCache("late"));
			executors.set(context.getBean(TieredCacheExecutors.class));
		});
		// The runner closed the context: the pools are shut down, the Redis connection closed.
		assertThat(executors.get().async().isShutdown()).isTrue();
		CompletableFuture<String> read = late.get().retrieve("k", () -> CompletableFuture.completedFuture("loaded"));
		assertThat(read).failsWithin(Duration.ofSeconds(1))
			.withThrowableOfType(java.util.concurrent.ExecutionException.class)
			.withCauseInstanceOf(RejectedExecutionException.class);
	}

	@Test
	void anAsynchronousLoadUnderWayWhenTheContextClosesFinishesBeforeTheCloseReturns() {
		this.runner.run((context) -> {
			TieredCache cache = context.getBean(TieredCacheManager.class).getCache("inflight");
			TieredCacheExecutors executors = context.getBean(TieredCacheExecutors.class);
			CountDownLatch release = new CountDownLatch(1);
			CompletableFuture<String> read = cache.retrieve("k", () -> {
				await(release);
				return CompletableFuture.completedFuture("finished");
			});
			Future<?> closing = this.closer.submit(context::close);
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> executors.async().isShutdown());
			assertThat(read).isNotDone();
			release.countDown();
			closing.get(10, TimeUnit.SECONDS);
			assertThat(read).isCompletedWithValue("finished");
		});
	}

	@Test
	void workPastTheShutdownTimeoutIsInterruptedAndWhatWasDroppedIsLogged(CapturedOutput output) throws Exception {
		TieredCacheExecutors executors = new TieredCacheExecutors(1, 4, 2, false, Duration.ofMillis(200), null);
		CountDownLatch started = new CountDownLatch(1);
		AtomicBoolean interrupted = new AtomicBoolean();
		executors.refresh().execute(() -> {
			started.countDown();
			try {
				new CountDownLatch(1).await();
			}
			catch (InterruptedException ex) {
				interrupted.set(true);
			}
		});
		executors.refresh().execute(() -> {
		});
		executors.refresh().execute(() -> {
		});
		await(started);
		long before = System.nanoTime();
		executors.destroy();
		assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(5));
		Awaitility.await().atMost(Duration.ofSeconds(5)).untilTrue(interrupted);
		assertThat(output).contains("background refreshes did not finish within the shutdown timeout (200 ms): "
				+ "1 interrupted, 2 not started dropped");
		assertThatExceptionOfType(RejectedExecutionException.class)
			.isThrownBy(() -> executors.refresh().execute(() -> {
			}));
	}

	@Test
	void asynchronousLoadsBeyondTheThreadsWaitInTheQueueInsteadOfOnTheCaller() throws Exception {
		TieredCacheExecutors executors = new TieredCacheExecutors(1, 1, 1, false, Duration.ofSeconds(1), null);
		CountDownLatch release = new CountDownLatch(1);
		executors.async().execute(() -> await(release));
		AtomicReference<Thread> ranOn = new AtomicReference<>();
		CountDownLatch ran = new CountDownLatch(1);
		executors.async().execute(() -> {
			ranOn.set(Thread.currentThread());
			ran.countDown();
		});
		assertThat(ranOn.get()).as("not run by the caller").isNull();
		release.countDown();
		assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
		assertThat(ranOn.get()).isNotSameAs(Thread.currentThread());
		executors.destroy();
	}

	@Test
	void platformThreadsAreNamedDaemonsByDefault() throws Exception {
		this.runner.run((context) -> {
			Thread thread = threadOf(context.getBean(TieredCacheExecutors.class).refresh());
			assertThat(thread.getName()).startsWith("tiered-cache-refresh-");
			assertThat(thread.isDaemon()).isTrue();
			assertThat(isVirtual(thread)).isFalse();
		});
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void virtualThreadsWhenSpringBootUsesThem() {
		this.runner.withPropertyValues("spring.threads.virtual.enabled=true").run((context) -> {
			TieredCacheExecutors executors = context.getBean(TieredCacheExecutors.class);
			assertThat(isVirtual(threadOf(executors.refresh()))).isTrue();
			Thread async = threadOf(executors.async());
			assertThat(isVirtual(async)).isTrue();
			assertThat(async.getName()).startsWith("tiered-cache-async-");
		});
	}

	@Test
	void theApplicationsTaskDecoratorCarriesTheCallersContextIntoAsynchronousLoads() {
		this.runner.withBean(TaskDecorator.class, () -> (task) -> {
			java.util.Map<String, String> callers = MDC.getCopyOfContextMap();
			return () -> {
				MDC.setContextMap((callers != null) ? callers : java.util.Map.of());
				try {
					task.run();
				}
				finally {
					MDC.clear();
				}
			};
		}).run((context) -> {
			TieredCache cache = context.getBean(TieredCacheManager.class).getCache("decorated");
			MDC.put("request", "r-42");
			try {
				CompletableFuture<String> read = cache.retrieve("k",
						() -> CompletableFuture.completedFuture(MDC.get("request") + " on " + Thread.currentThread().getName()));
				assertThat(read.get(10, TimeUnit.SECONDS)).startsWith("r-42 on tiered-cache-async-");
			}
			finally {
				MDC.clear();
			}
		});
	}

	@Test
	void badThreadCountsAndShutdownTimeoutsFailStartUpNamingTheProperty() {
		this.runner.withPropertyValues("tiered-cache.async.threads=0")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("tiered-cache.async.threads"));
		this.runner.withPropertyValues("tiered-cache.shutdown-timeout=-1s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("tiered-cache.shutdown-timeout"));
	}

	private static Thread threadOf(ExecutorService executor) throws Exception {
		CompletableFuture<Thread> thread = new CompletableFuture<>();
		executor.execute(() -> thread.complete(Thread.currentThread()));
		return thread.get(10, TimeUnit.SECONDS);
	}

	private static boolean isVirtual(Thread thread) throws Exception {
		try {
			return (boolean) Thread.class.getMethod("isVirtual").invoke(thread);
		}
		catch (NoSuchMethodException ex) {
			return false;
		}
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
