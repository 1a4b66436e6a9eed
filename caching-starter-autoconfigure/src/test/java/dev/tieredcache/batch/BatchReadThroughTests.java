package dev.tieredcache.batch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.cache.CacheStatistics.Tier;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;
import dev.tieredcache.test.TestThreads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code TieredCache#getAll} on the shared Redis: one loader call with exactly the keys no
 * tier holds, nulls cached for absent keys, one load per key across instances and between
 * single and batch reads in one JVM.
 */
class BatchReadThroughTests {

	private final String prefix = TestRedis.uniquePrefix("batch");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, this.prefix);

	@Test
	void theLoaderIsCalledOnceWithExactlyTheKeysNoTierHoldsAndTheResultKeepsRequestOrder() {
		this.runner.run((a) -> this.runner.run((b) -> {
			TieredCache cacheA = cache(a, "users");
			TieredCache cacheB = cache(b, "users");
			cacheA.put(2L, "user 2");
			cacheA.put(4L, "user 4");
			RecordingLoader loader = new RecordingLoader((id) -> (id == 5L) ? null : "user " + id);
			Map<Long, String> found = cacheB.getAll(List.of(5L, 4L, 3L, 2L, 1L), loader);
			assertThat(loader.calls).containsExactly(List.of(5L, 3L, 1L));
			assertThat(found).containsExactly(Map.entry(4L, "user 4"), Map.entry(3L, "user 3"), Map.entry(2L, "user 2"),
					Map.entry(1L, "user 1"));
			assertThat(cacheB.getStatistics().hits(Tier.L2)).as("2 and 4 came from Redis").isEqualTo(2);
			assertThat(cacheB.getStatistics().loads(true)).as("loads count per element").isEqualTo(3);
			assertThat(cacheB.getStatistics().batches()).isEqualTo(1);
			assertThat(cacheB.getStatistics().batchKeys()).isEqualTo(5);

			assertThat(cacheB.getAll(List.of(1L, 2L, 3L, 4L, 5L), loader)).containsOnlyKeys(1L, 2L, 3L, 4L);
			assertThat(cacheA.getAll(List.of(1L, 2L, 3L, 4L, 5L), loader)).containsOnlyKeys(1L, 2L, 3L, 4L);
			assertThat(loader.calls).as("5 is cached as null on every instance").hasSize(1);
			assertThat(cacheA.<Long, String>getAll(List.of(1L, 3L, 9L))).as("read only")
				.containsExactly(Map.entry(1L, "user 1"), Map.entry(3L, "user 3"));
		}));
	}

	@Test
	void keysMissingFromTheLoadersMapAreLoadedAgainWhenNullsAreNotCached() {
		this.runner.withPropertyValues("tiered-cache.caches.users.null-ttl=0s").run((a) -> {
			TieredCache cache = cache(a, "users");
			RecordingLoader loader = new RecordingLoader((id) -> (id == 2L) ? null : "user " + id);
			assertThat(cache.getAll(List.of(1L, 2L), loader)).containsOnlyKeys(1L);
			assertThat(cache.getAll(List.of(1L, 2L), loader)).containsOnlyKeys(1L);
			assertThat(loader.calls).containsExactly(List.of(1L, 2L), List.of(2L));
		});
	}

	@Test
	void twoInstancesRacingWithAnInstantLoaderStillLoadEveryKeyOnce() {
		// No latch holds the loads: one instance's batch may miss in Redis, then find the
		// other's values stored by the time it asks for the locks (it reads them, not loads).
		this.runner.run((a) -> this.runner.run((b) -> {
			Map<Long, AtomicInteger> loads = new ConcurrentHashMap<>();
			Function<Set<Long>, Map<Long, String>> loader = (ids) -> {
				ids.forEach((id) -> loads.computeIfAbsent(id, (k) -> new AtomicInteger()).incrementAndGet());
				return values(ids);
			};
			for (int round = 0; round < 40; round++) {
				long base = 10_000 + round * 100;
				List<Long> first = range(base + 1, base + 60);
				List<Long> second = range(base + 1, base + 60);
				CyclicBarrier start = new CyclicBarrier(2);
				CompletableFuture<Map<Long, String>> fromA = CompletableFuture.supplyAsync(() -> {
					awaitBarrier(start);
					return cache(a, "users").getAll(first, loader);
				}, TestThreads.EACH_ON_ITS_OWN);
				CompletableFuture<Map<Long, String>> fromB = CompletableFuture.supplyAsync(() -> {
					awaitBarrier(start);
					return cache(b, "users").getAll(second, loader);
				}, TestThreads.EACH_ON_ITS_OWN);
				assertThat(fromA.join()).isEqualTo(values(first));
				assertThat(fromB.join()).isEqualTo(values(second));
			}
			assertThat(loads).hasSize(40 * 60);
			assertThat(loads.entrySet()).as("keys loaded more than once")
				.filteredOn((entry) -> entry.getValue().get() > 1)
				.isEmpty();
		}));
	}

	private static void awaitBarrier(CyclicBarrier barrier) {
		try {
			barrier.await(5, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Test
	void twoInstancesAskingForOverlappingListsAtOnceLoadEveryKeyOnce() {
		this.runner.run((a) -> this.runner.run((b) -> {
			for (int round = 0; round < 5; round++) {
				long base = round * 100;
				Map<Long, AtomicInteger> loads = new ConcurrentHashMap<>();
				CountDownLatch bothLoading = new CountDownLatch(2);
				Function<Set<Long>, Map<Long, String>> loader = (ids) -> {
					ids.forEach((id) -> loads.computeIfAbsent(id, (k) -> new AtomicInteger()).incrementAndGet());
					bothLoading.countDown();
					awaitLatch(bothLoading);
					return values(ids);
				};
				List<Long> first = range(base + 1, base + 30);
				List<Long> second = range(base + 10, base + 40);
				CompletableFuture<Map<Long, String>> fromA = CompletableFuture
					.supplyAsync(() -> cache(a, "users").getAll(first, loader), TestThreads.EACH_ON_ITS_OWN);
				CompletableFuture<Map<Long, String>> fromB = CompletableFuture
					.supplyAsync(() -> cache(b, "users").getAll(second, loader), TestThreads.EACH_ON_ITS_OWN);
				assertThat(fromA.join()).isEqualTo(values(first));
				assertThat(fromB.join()).isEqualTo(values(second));
				assertThat(loads).as("every key of both lists").hasSize(40);
				assertThat(loads.values()).as("each loaded exactly once").allMatch((count) -> count.get() == 1);
			}
		}));
	}

	@Test
	void aBatchJoinsASingleReadOfTheSameKeyInTheJvmAndLoadsOnlyTheOthers() throws Exception {
		this.runner.run((a) -> {
			TieredCache cache = cache(a, "users");
			CountDownLatch singleStarted = new CountDownLatch(1);
			CountDownLatch releaseSingle = new CountDownLatch(1);
			AtomicInteger singleLoads = new AtomicInteger();
			CompletableFuture<Object> single = CompletableFuture.supplyAsync(() -> cache.get(7L, () -> {
				singleLoads.incrementAndGet();
				singleStarted.countDown();
				awaitLatch(releaseSingle);
				return "single 7";
			}), TestThreads.EACH_ON_ITS_OWN);
			awaitLatch(singleStarted);
			RecordingLoader loader = new RecordingLoader((id) -> "batch " + id);
			CompletableFuture<Map<Long, String>> batch = CompletableFuture
				.supplyAsync(() -> cache.getAll(List.of(6L, 7L, 8L), loader), TestThreads.EACH_ON_ITS_OWN);
			await().atMost(Duration.ofSeconds(5)).until(() -> loader.calls.size() == 1);
			assertThat(batch).as("waits for the single read's load of 7").isNotDone();
			releaseSingle.countDown();
			assertThat(batch.get(5, TimeUnit.SECONDS)).containsExactly(Map.entry(6L, "batch 6"),
					Map.entry(7L, "single 7"), Map.entry(8L, "batch 8"));
			assertThat(loader.calls).containsExactly(List.of(6L, 8L));
			assertThat(single.get(5, TimeUnit.SECONDS)).isEqualTo("single 7");
			assertThat(singleLoads).hasValue(1);
		});
	}

	@Test
	void aSingleReadJoinsABatchLoadingTheSameKeyInTheJvm() throws Exception {
		this.runner.run((a) -> {
			TieredCache cache = cache(a, "users");
			CountDownLatch batchLoading = new CountDownLatch(1);
			CountDownLatch releaseBatch = new CountDownLatch(1);
			CompletableFuture<Map<Long, String>> batch = CompletableFuture
				.supplyAsync(() -> cache.getAll(List.of(1L, 2L), (ids) -> {
					batchLoading.countDown();
					awaitLatch(releaseBatch);
					return values(ids);
				}), TestThreads.EACH_ON_ITS_OWN);
			awaitLatch(batchLoading);
			AtomicInteger singleLoads = new AtomicInteger();
			CompletableFuture<Object> single = new CompletableFuture<>();
			Thread reader = new Thread(() -> single.complete(cache.get(2L, () -> {
				singleLoads.incrementAndGet();
				return "single 2";
			})));
			reader.start();
			await("the single read waits on the batch's load").atMost(Duration.ofSeconds(5))
				.until(() -> reader.getState() == Thread.State.WAITING);
			releaseBatch.countDown();
			assertThat(single.get(5, TimeUnit.SECONDS)).isEqualTo("user 2");
			assertThat(batch.get(5, TimeUnit.SECONDS)).isEqualTo(values(List.of(1L, 2L)));
			assertThat(singleLoads).as("the single read shared the batch's load").hasValue(0);
		});
	}

	@Test
	void aFailingLoaderReachesTheCallerAndReleasesTheLocksForTheNextCall() {
		this.runner.run((a) -> this.runner.run((b) -> {
			List<Long> ids = List.of(1L, 2L);
			org.assertj.core.api.Assertions
				.assertThatThrownBy(() -> cache(a, "users").getAll(ids, (missing) -> {
					throw new IllegalStateException("database down");
				}))
				.isInstanceOf(IllegalStateException.class)
				.hasMessage("database down");
			RecordingLoader loader = new RecordingLoader((id) -> "user " + id);
			long started = System.nanoTime();
			assertThat(cache(b, "users").getAll(ids, loader)).hasSize(2);
			assertThat(Duration.ofNanos(System.nanoTime() - started)).as("no lease waited out")
				.isLessThan(Duration.ofSeconds(2));
			assertThat(loader.calls).containsExactly(ids);
		}));
	}

	static TieredCache cache(org.springframework.context.ApplicationContext context, String name) {
		return context.getBean(TieredCacheManager.class).getCache(name);
	}

	static List<Long> range(long from, long to) {
		return LongStream.rangeClosed(from, to).boxed().toList();
	}

	static Map<Long, String> values(java.util.Collection<Long> ids) {
		Map<Long, String> values = new LinkedHashMap<>();
		ids.forEach((id) -> values.put(id, "user " + id));
		return values;
	}

	static void awaitLatch(CountDownLatch latch) {
		try {
			if (!latch.await(10, TimeUnit.SECONDS)) {
				throw new IllegalStateException("latch not released");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** A loader that records the keys of every call and answers from a function. */
	static final class RecordingLoader implements Function<Set<Long>, Map<Long, String>> {

		final List<List<Long>> calls = new CopyOnWriteArrayList<>();

		private final Function<Long, String> source;

		RecordingLoader(Function<Long, String> source) {
			this.source = source;
		}

		@Override
		public Map<Long, String> apply(Set<Long> ids) {
			this.calls.add(Collections.unmodifiableList(new ArrayList<>(ids)));
			Map<Long, String> values = new LinkedHashMap<>();
			for (Long id : ids) {
				String value = this.source.apply(id);
				if (value != null) {
					values.put(id, value);
				}
			}
			return values;
		}

	}

}
