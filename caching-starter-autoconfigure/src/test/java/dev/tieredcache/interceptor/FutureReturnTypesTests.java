package dev.tieredcache.interceptor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.tieredcache.annotation.ReadThrough;
import dev.tieredcache.annotation.WriteThrough;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * {@code CompletableFuture} results: the caller gets its future at once and never waits
 * for the method's future, not even when more loads wait than the async pool has threads.
 */
class FutureReturnTypesTests {

	private static final Duration AT_ONCE = Duration.ofSeconds(3);

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT,
			TestRedis.uniquePrefix("futures"))
		.withUserConfiguration(CounterConfiguration.class);

	@Test
	void theCallerGetsItsFutureBeforeTheMethodsFutureCompletesAndTheValueIsCached() throws Exception {
		this.runner.run((context) -> {
			Counters counters = context.getBean(Counters.class);
			CompletableFuture<Long> first = assertTimeoutPreemptively(AT_ONCE, () -> counters.count(1));
			assertThat(first).isNotDone();
			counters.open();
			assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(10L);
			CompletableFuture<Long> second = counters.count(1);
			assertThat(second).as("an L1 hit is a completed future").isCompletedWithValue(10L);
			assertThat(counters.calls()).isEqualTo(1);
		});
	}

	@Test
	void moreWaitingLoadsThanPoolThreadsNeverMakeTheCallerWait() throws Exception {
		this.runner.run((context) -> {
			Counters counters = context.getBean(Counters.class);
			List<CompletableFuture<Long>> futures = assertTimeoutPreemptively(AT_ONCE, () -> {
				List<CompletableFuture<Long>> calls = new ArrayList<>();
				for (long id = 1; id <= 100; id++) {
					calls.add(counters.count(id));
				}
				return calls;
			});
			counters.open();
			for (int i = 0; i < futures.size(); i++) {
				assertThat(futures.get(i).get(10, TimeUnit.SECONDS)).isEqualTo((i + 1) * 10L);
			}
			assertThat(counters.calls()).isEqualTo(100);
		});
	}

	@Test
	void aWriteThroughFutureCompletesForItsCallerOnlyAfterTheWrite() throws Exception {
		this.runner.run((context) -> {
			Counters counters = context.getBean(Counters.class);
			CompletableFuture<Long> write = assertTimeoutPreemptively(AT_ONCE, () -> counters.set(7, 70));
			assertThat(write).isNotDone();
			counters.open();
			assertThat(write.get(5, TimeUnit.SECONDS)).isEqualTo(70L);
			assertThat(context.getBean(TieredCacheManager.class).getCache("counts").get(7L).get()).isEqualTo(70L);
		});
	}

	/** Methods whose futures complete only when the test opens the gate. */
	public static class Counters {

		private final CompletableFuture<Void> gate = new CompletableFuture<>();

		private final AtomicInteger calls = new AtomicInteger();

		public void open() {
			this.gate.complete(null);
		}

		public int calls() {
			return this.calls.get();
		}

		@ReadThrough(cache = "counts")
		public CompletableFuture<Long> count(long id) {
			this.calls.incrementAndGet();
			return this.gate.thenApply((open) -> id * 10);
		}

		@WriteThrough(cache = "counts", key = "#id")
		public CompletableFuture<Long> set(long id, long value) {
			return this.gate.thenApply((open) -> value);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CounterConfiguration {

		@Bean
		Counters counters() {
			return new Counters();
		}

	}

}
