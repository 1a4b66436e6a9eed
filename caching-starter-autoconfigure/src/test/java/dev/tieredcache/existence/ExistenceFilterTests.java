package dev.tieredcache.existence;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.TieredCacheOperations;
import dev.tieredcache.actuate.TieredCacheEndpoint;
import dev.tieredcache.actuate.TieredCacheEndpoint.ExistenceFilterRebuildDescriptor;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.RedisCommandExecutor;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.RedisServerProcess;
import dev.tieredcache.test.TestRedis;
import dev.tieredcache.test.TestThreads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The existence filter against a real Redis: how many absent keys reach the loader, that
 * existing and newly written keys always do (on every instance, through a Redis outage and a
 * rebuild under concurrent writes), and that it fails open.
 */
class ExistenceFilterTests {

	private static final int EXISTING = 10_000;

	private static final double RATE = 0.01;

	private final Users users = new Users();

	private ExistingKeys source = ExistingKeys.of("users", this.users::ids);

	private ApplicationContextRunner runner(int port) {
		return Instances.runner(port, TestRedis.uniquePrefix("existence"))
			.withBean(Users.class, () -> this.users)
			.withBean(ExistingKeys.class, () -> this.source)
			.withPropertyValues("tiered-cache.caches.users.existence-filter.enabled=true",
					"tiered-cache.caches.users.existence-filter.expected-keys=" + EXISTING,
					"tiered-cache.caches.users.existence-filter.false-positive-rate=" + RATE);
	}

	private ApplicationContextRunner runner() {
		return runner(TestRedis.SHARED_PORT);
	}

	@Test
	void tenThousandRandomAbsentIdsReachTheLoaderAtMostAtTheConfiguredRate() {
		this.users.insert(0, EXISTING);
		runner().run((context) -> {
			TieredCache cache = builtCache(context);
			Random random = new Random(16);
			Set<Long> absent = new HashSet<>();
			while (absent.size() < 10_000) {
				absent.add(EXISTING + (random.nextLong() & Long.MAX_VALUE) % 1_000_000_000L);
			}
			for (long id : absent) {
				assertThat(cache.get(id, () -> this.users.load(id))).isNull();
			}
			// Loads are Bernoulli trials at the configured rate: four standard deviations above
			// the mean, a bound a correct filter exceeds about once in 30,000 runs.
			double mean = absent.size() * RATE;
			double bound = mean + 4 * Math.sqrt(absent.size() * RATE * (1 - RATE));
			ExistenceFilter filter = cache.getExistenceFilter();
			System.out.printf("existence filter: %d of %d absent ids reached the loader (configured %.2f%%, "
					+ "bound %.0f); %d bits, %d hashes%n", this.users.finds(), absent.size(), RATE * 100, bound,
					filter.sizing().bits(), filter.sizing().hashes());
			assertThat(this.users.finds()).isLessThanOrEqualTo((int) bound);
			assertThat(filter.passed()).isEqualTo(this.users.finds());
			assertThat(filter.rejected()).isEqualTo(absent.size() - this.users.finds());
			assertThat(filter.skipped()).isZero();
		});
	}

	@Test
	void everyExistingIdStillLoads() {
		this.users.insert(0, EXISTING);
		runner().run((context) -> {
			TieredCache cache = builtCache(context);
			// Four callers at once, each a quarter of the ids: 10,000 loads take a while.
			List<CompletableFuture<Void>> callers = new ArrayList<>();
			for (int caller = 0; caller < 4; caller++) {
				int first = caller;
				callers.add(CompletableFuture.runAsync(() -> {
					for (long id = first; id < EXISTING; id += 4) {
						long key = id;
						assertThat(cache.get(key, () -> this.users.load(key))).isEqualTo("user " + id);
					}
				}, TestThreads.EACH_ON_ITS_OWN));
			}
			CompletableFuture.allOf(callers.toArray(new CompletableFuture<?>[0])).get(40, TimeUnit.SECONDS);
			assertThat(this.users.finds()).isEqualTo(EXISTING);
			assertThat(cache.getExistenceFilter().rejected()).isZero();
		});
	}

	@Test
	void aBatchReadLoadsOnlyTheKeysThatMayExist() {
		this.users.insert(0, 1000);
		runner().run((context) -> {
			TieredCache cache = builtCache(context);
			List<Long> ids = new ArrayList<>();
			for (long id = 0; id < 1000; id += 10) {
				ids.add(id);
				ids.add(-id - 1);
			}
			List<Long> asked = new ArrayList<>();
			Map<Long, String> found = cache.getAll(ids, (missing) -> {
				asked.addAll(missing);
				Map<Long, String> rows = new HashMap<>();
				missing.forEach((id) -> {
					String row = this.users.load(id);
					if (row != null) {
						rows.put(id, row);
					}
				});
				return rows;
			});
			assertThat(found).hasSize(100).allSatisfy((id, row) -> assertThat(row).isEqualTo("user " + id));
			long absentAsked = asked.stream().filter((id) -> id < 0).count();
			assertThat(asked).hasSize(100 + (int) absentAsked);
			assertThat(absentAsked).as("absent ids given to the loader").isLessThanOrEqualTo(10);
			assertThat(cache.getExistenceFilter().rejected()).isEqualTo(100 - absentAsked);
		});
	}

	@Test
	void anAbsentIdIsAnEmptyOptionalWithoutALoad() {
		this.users.insert(0, 100);
		runner().run((context) -> {
			TieredCache cache = builtCache(context);
			Users proxy = context.getBean(Users.class);
			int before = this.users.finds();
			assertThat(proxy.find(5)).contains("user 5");
			assertThat(proxy.find(-7)).isEmpty();
			assertThat(this.users.finds()).isEqualTo(before + 1);
			assertThat(cache.getExistenceFilter().rejected()).isEqualTo(1);
			TieredCacheEndpoint endpoint = new TieredCacheEndpoint(context.getBean(TieredCacheManager.class),
					context.getBean(TieredCacheOperations.class), null, false, null,
					context.getBean(ExistenceFilters.class));
			assertThat(endpoint.cache("users").existenceFilter().rejected()).isEqualTo(1);
			assertThat(endpoint.cache("users").existenceFilter().bits()).isEqualTo(95_851);
			// Once written, it loads: here after its entry left Redis (as by expiry).
			proxy.save(-7, "new user");
			cache.evict(-7L);
			assertThat(proxy.find(-7)).contains("new user");
			assertThat(this.users.finds()).isEqualTo(before + 2);
		});
	}

	@Test
	void keysWrittenOnOneInstanceLoadOnAnother() {
		this.users.insert(0, 100);
		ApplicationContextRunner runner = runner();
		runner.run((a) -> runner.run((b) -> {
			TieredCache cacheA = builtCache(a);
			TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("users");
			Users proxyA = a.getBean(Users.class);
			// Through @WriteThrough (put and evict modes), the Cache API and @WriteBehind (once
			// flushed); each entry then leaves Redis (as by expiry), so that the other instance's
			// read is a real miss.
			proxyA.save(1000, "user 1000");
			proxyA.saveAndEvict(1001, "user 1001");
			cacheA.put(1002L, "user 1002");
			this.users.insert(1002, 1003);
			proxyA.saveLater(1003L, "user 1003");
			await().atMost(Duration.ofSeconds(10)).until(() -> this.users.exists(1003));
			for (long id = 1000; id <= 1003; id++) {
				cacheA.evict(id);
				long key = id;
				assertThat(cacheB.get(key, () -> this.users.load(key))).as("id %d", id).isEqualTo("user " + id);
			}
			assertThat(cacheB.getExistenceFilter().rejected()).isZero();
			// A row that appeared by another path is rejected until a rebuild: the documented limit.
			this.users.insert(2000, 2001);
			assertThat(cacheB.get(2000L, () -> this.users.load(2000L))).isNull();
		}));
	}

	@Test
	void aMissingFilterLetsKeysThroughUntilItIsBuiltAgain() {
		this.users.insert(0, 100);
		runner().run((context) -> {
			TieredCache cache = builtCache(context);
			ExistenceFilter filter = cache.getExistenceFilter();
			try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
				byte[] key = filter.redisKey().getBytes(StandardCharsets.UTF_8);
				redis.commands().del(key);
				// As after an eviction or a flush: the next miss goes to the loader, and starts a
				// rebuild in the background.
				assertThat(cache.get(-1L, () -> this.users.load(-1L))).isNull();
				assertThat(this.users.finds()).isEqualTo(1);
				assertThat(filter.skipped()).isEqualTo(1);
				await().atMost(Duration.ofSeconds(10)).until(() -> redis.commands().exists(key) == 1);
			}
			for (long id = -2; id > -52; id--) {
				long key = id;
				cache.get(key, () -> this.users.load(key));
			}
			assertThat(this.users.finds()).as("loads once the filter is back").isLessThanOrEqualTo(1 + 5);
			assertThat(cache.get(50L, () -> this.users.load(50L))).isEqualTo("user 50");
		});
	}

	@Test
	void aWriteWhileRedisIsFrozenIsAddedWhenItAnswersAgain() throws Exception {
		this.users.insert(0, 100);
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			ApplicationContextRunner runner = runner(redis.port());
			runner.run((a) -> runner.run((b) -> {
				TieredCache cacheA = builtCache(a);
				TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("users");
				Users proxyA = a.getBean(Users.class);
				RedisCommandExecutor executorA = a.getBean(RedisCommandExecutor.class);
				redis.pause();
				try {
					proxyA.save(500, "user 500");
					assertThat(cacheA.getExistenceFilter().pendingAdds()).isEqualTo(1);
					// Redis does not answer: reads fail open, whatever the filter would say.
					assertThat(cacheB.get(-1L, () -> this.users.load(-1L))).isNull();
					assertThat(this.users.finds()).isEqualTo(1);
				}
				finally {
					redis.resume();
				}
				await().atMost(Duration.ofSeconds(20))
					.until(() -> !executorA.circuit().isOpen() && cacheA.getExistenceFilter().pendingAdds() == 0);
				cacheB.clearLocal();
				assertThat(cacheB.get(500L, () -> this.users.load(500L))).isEqualTo("user 500");
				assertThat(cacheB.getExistenceFilter().rejected()).isZero();
			}));
		}
	}

	@Test
	void aRebuildThroughTheEndpointKeepsTheKeysWrittenWhileItRuns() {
		this.users.insert(0, EXISTING);
		CountDownLatch halfway = new CountDownLatch(1);
		CountDownLatch writesMade = new CountDownLatch(1);
		AtomicBoolean rebuilding = new AtomicBoolean();
		AtomicLong streamed = new AtomicLong();
		// A source that, halfway through a rebuild, waits for writes of keys it has already
		// passed (negative ids sort first), so only the rebuild's own bookkeeping can keep them.
		this.source = ExistingKeys.of("users", () -> this.users.ids().peek((id) -> {
			if (rebuilding.get() && streamed.incrementAndGet() == EXISTING / 2) {
				halfway.countDown();
				await().atMost(Duration.ofSeconds(20)).until(() -> writesMade.getCount() == 0);
			}
		}));
		runner().run((context) -> {
				TieredCache cache = builtCache(context);
				Users proxy = context.getBean(Users.class);
				TieredCacheEndpoint endpoint = new TieredCacheEndpoint(context.getBean(TieredCacheManager.class),
						context.getBean(TieredCacheOperations.class), null, false, null,
						context.getBean(ExistenceFilters.class));
				rebuilding.set(true);
				CompletableFuture<ExistenceFilterRebuildDescriptor> rebuild = CompletableFuture
					.supplyAsync(() -> endpoint.rebuild("users", TieredCacheEndpoint.EXISTENCE_FILTER),
							TestThreads.EACH_ON_ITS_OWN);
				assertThat(halfway.await(20, TimeUnit.SECONDS)).isTrue();
				for (long id = -1; id >= -200; id--) {
					proxy.save(id, "user " + id);
				}
				writesMade.countDown();
				// More writes race the end of the rebuild and its swap.
				long id = -201;
				while (!rebuild.isDone()) {
					proxy.save(id, "user " + id);
					id--;
				}
				ExistenceFilterRebuildDescriptor done = rebuild.get(20, TimeUnit.SECONDS);
				assertThat(done.outcome()).isEqualTo("rebuilt");
				assertThat(done.keys()).isGreaterThanOrEqualTo(EXISTING);
				long written = -id - 1;
				int before = this.users.finds();
				for (long key = -1; key >= -written; key--) {
					long k = key;
					// Its entry leaves Redis (as by expiry): the read is a real miss.
					cache.evict(k);
					assertThat(cache.get(k, () -> this.users.load(k))).as("written id %d", key)
						.isEqualTo("user " + key);
				}
				for (long key = 0; key < EXISTING; key += 97) {
					long k = key;
					assertThat(cache.get(k, () -> this.users.load(k))).isEqualTo("user " + key);
				}
				assertThat(cache.getExistenceFilter().rejected()).isZero();
				assertThat(this.users.finds() - before).isPositive();
			});
	}

	@Test
	void theEndpointRefusesACacheWithoutAFilter() {
		runner().run((context) -> {
			TieredCacheEndpoint endpoint = new TieredCacheEndpoint(context.getBean(TieredCacheManager.class),
					context.getBean(TieredCacheOperations.class), null, false, null,
					context.getBean(ExistenceFilters.class));
			context.getBean(TieredCacheManager.class).getCache("teams");
			org.assertj.core.api.Assertions
				.assertThatExceptionOfType(org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException.class)
				.isThrownBy(() -> endpoint.rebuild("teams", TieredCacheEndpoint.EXISTENCE_FILTER));
		});
	}

	/** The users cache, once the start-up build of its filter is in Redis. */
	private static TieredCache builtCache(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed();
		TieredCache cache = context.getBean(TieredCacheManager.class).getCache("users");
		ExistenceFilter filter = cache.getExistenceFilter();
		assertThat(filter).isNotNull();
		int port = context.getEnvironment().getProperty("spring.data.redis.port", Integer.class);
		try (TestRedis redis = new TestRedis(port)) {
			byte[] key = filter.redisKey().getBytes(StandardCharsets.UTF_8);
			await().atMost(Duration.ofSeconds(20)).until(() -> redis.commands().exists(key) == 1);
		}
		return cache;
	}

}
