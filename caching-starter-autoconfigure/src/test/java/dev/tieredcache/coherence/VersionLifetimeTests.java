package dev.tieredcache.coherence;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.cache.ReadRequest;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.RedisServerProcess;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Version keys (cache epochs, groups, tags) that expire or are evicted while in use (issue
 * 11, case 4): no write may be lost and no load may store an old row.
 */
class VersionLifetimeTests {

	private static final int KEYS = 10;

	@Test
	void writesAreNotLostWhenVersionKeysExpireWhileInUse() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			ApplicationContextRunner runner = Instances.runner(redis.port(), TestRedis.uniquePrefix("versions"))
				.withPropertyValues("tiered-cache.versions.ttl=1s", "tiered-cache.versions.refresh-interval=2s",
						"tiered-cache.defaults.local.ttl=5m");
			runner.run((a) -> runner.run((b) -> {
				TieredCache[] caches = { a.getBean(TieredCacheManager.class).getCache("users"),
						b.getBean(TieredCacheManager.class).getCache("users") };
				Map<Long, Long> database = new ConcurrentHashMap<>();
				AtomicLong versions = new AtomicLong();
				long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
				ExecutorService workers = Executors.newFixedThreadPool(4);
				List<Future<?>> running = new ArrayList<>();
				for (int w = 0; w < 4; w++) {
					int instance = w % 2;
					running.add(workers.submit(() -> {
						while (System.nanoTime() < until) {
							ThreadLocalRandom random = ThreadLocalRandom.current();
							long key = random.nextLong(KEYS);
							int action = random.nextInt(100);
							if (action < 25) {
								// Write-through: the database first, then the cache.
								long value = versions.incrementAndGet();
								database.put(key, value);
								caches[instance].write(TieredCache.encodeKey(key), value, new String[] { "all" });
							}
							else {
								read(caches[instance], key, database);
							}
						}
						return null;
					}));
				}
				for (Future<?> worker : running) {
					worker.get(30, TimeUnit.SECONDS);
				}
				workers.shutdown();
				for (int instance = 0; instance < 2; instance++) {
					TieredCache cache = caches[instance];
					await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
						for (long key = 0; key < KEYS; key++) {
							long k = key;
							Object served = read(cache, k, database);
							assertThat(served).as("key %d on %s", k, cache).isEqualTo(database.get(k));
						}
					});
				}
			}));
		}
	}

	@Test
	void aLoadCannotStoreAnOldRowAfterAWriteMadeUnderAnotherEpoch() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			String prefix = TestRedis.uniquePrefix("epochs");
			ApplicationContextRunner runner = Instances.runner(redis.port(), prefix);
			runner.run((a) -> runner.run((b) -> {
				TieredCacheManager managerA = a.getBean(TieredCacheManager.class);
				TieredCacheManager managerB = b.getBean(TieredCacheManager.class);
				TieredCache cacheA = managerA.getCache("users");
				TieredCache cacheB = managerB.getCache("users");
				Map<Long, Long> database = new ConcurrentHashMap<>(Map.of(1L, 1L));
				assertThat(read(cacheA, 1L, database)).isEqualTo(1L);
				// The epoch key is lost (expired or evicted); B meets its successor first.
				redis.cli("DEL", prefix + "e:{users}");
				managerB.getServices().epochs().reset();
				CountDownLatch rowRead = new CountDownLatch(1);
				CountDownLatch writeDone = new CountDownLatch(1);
				ExecutorService loader = Executors.newSingleThreadExecutor();
				Future<Object> load = loader.submit(() -> {
					try {
						return cacheB.readThrough(ReadRequest.of(TieredCache.encodeKey(1L), new String[0], () -> {
							Long row = database.get(1L);
							rowRead.countDown();
							writeDone.await(10, TimeUnit.SECONDS);
							return row;
						}, null, null));
					}
					catch (Throwable ex) {
						throw new IllegalStateException(ex);
					}
				});
				assertThat(rowRead.await(10, TimeUnit.SECONDS)).isTrue();
				// A, still on the old epoch, writes the new row while B's load holds the old one.
				database.put(1L, 2L);
				cacheA.write(TieredCache.encodeKey(1L), 2L, new String[0]);
				writeDone.countDown();
				assertThat(load.get(10, TimeUnit.SECONDS)).isEqualTo(1L);
				loader.shutdown();
				managerA.forgetLocalState();
				managerB.forgetLocalState();
				assertThat(read(cacheA, 1L, database)).as("A").isEqualTo(2L);
				assertThat(read(cacheB, 1L, database)).as("B").isEqualTo(2L);
			}));
		}
	}

	private static Object read(TieredCache cache, long key, Map<Long, Long> database) throws Exception {
		try {
			return cache.readThrough(ReadRequest.of(TieredCache.encodeKey(key), new String[] { "all" },
					() -> slowRead(database, key), null, null));
		}
		catch (Exception | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** A query that reads the row, then takes a little while to return it. */
	private static Long slowRead(Map<Long, Long> database, long key) throws InterruptedException {
		Long row = database.get(key);
		Thread.sleep(2);
		return row;
	}

}
