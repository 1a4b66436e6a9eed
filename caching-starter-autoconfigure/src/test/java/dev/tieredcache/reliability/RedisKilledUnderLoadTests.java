package dev.tieredcache.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.tieredcache.annotation.ReadThrough;
import dev.tieredcache.annotation.WriteThrough;
import dev.tieredcache.cache.CacheStatistics.Tier;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.RedisCommandExecutor;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.RedisServerProcess;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis killed while 16 threads on two instances read and write through the annotations:
 * no exception reaches a caller, every read returns the database's current value or one
 * superseded less than the L1 TTL ago (plus, around the outage, the time the writing
 * instance takes to reach Redis again), and after Redis restarts the caches fill again and
 * the circuit closes by itself.
 */
class RedisKilledUnderLoadTests {

	private static final int ITEMS = 50;

	private static final Duration LOCAL_TTL = Duration.ofSeconds(1);

	/** The shared database: each item's current version and when each version was superseded. */
	static final Map<Long, AtomicLong> VERSIONS = new ConcurrentHashMap<>();

	static final Map<String, Long> SUPERSEDED_AT = new ConcurrentHashMap<>();

	@Test
	void callersNeverFailAndNeverSeeValuesStalerThanTheLocalTtl() throws Exception {
		for (long id = 0; id < ITEMS; id++) {
			VERSIONS.put(id, new AtomicLong());
		}
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			ApplicationContextRunner runner = Instances.runner(redis.port(), TestRedis.uniquePrefix("killed"))
				.withPropertyValues("tiered-cache.redis.command-timeout=200ms",
						"tiered-cache.redis.circuit-open-duration=300ms",
						"tiered-cache.defaults.local.ttl=" + LOCAL_TTL.toMillis() + "ms",
						"tiered-cache.defaults.jitter=0")
				.withUserConfiguration(ItemsConfiguration.class);
			runner.run((a) -> runner.run((b) -> {
				List<ItemService> services = List.of(a.getBean(ItemService.class), b.getBean(ItemService.class));
				List<Throwable> errors = new CopyOnWriteArrayList<>();
				List<String> tooStale = new CopyOnWriteArrayList<>();
				AtomicBoolean running = new AtomicBoolean(true);
				ExecutorService pool = Executors.newFixedThreadPool(16);
				List<Future<?>> workers = new ArrayList<>();
				for (int t = 0; t < 16; t++) {
					ItemService service = services.get(t % 2);
					workers.add(pool.submit(() -> {
						ThreadLocalRandom random = ThreadLocalRandom.current();
						while (running.get()) {
							long id = random.nextLong(ITEMS);
							try {
								if (random.nextInt(10) == 0) {
									service.update(id);
								}
								else {
									check(id, service.read(id), tooStale);
								}
							}
							catch (Throwable ex) {
								errors.add(ex);
							}
						}
					}));
				}
				RedisCommandExecutor executorA = a.getBean(RedisCommandExecutor.class);
				RedisCommandExecutor executorB = b.getBean(RedisCommandExecutor.class);
				pause(Duration.ofMillis(800));
				redis.kill();
				await().atMost(Duration.ofSeconds(5)).until(() -> executorA.circuit().isOpen() && executorB.circuit().isOpen());
				pause(Duration.ofMillis(1500));
				redis.restart();
				// Lettuce reconnects with an exponential backoff, so recovery may take seconds.
				await().atMost(Duration.ofSeconds(60)).until(() -> !executorA.circuit().isOpen() && !executorB.circuit().isOpen());
				TieredCache cache = a.getBean(TieredCacheManager.class).getCache("items");
				long l2HitsAfterRestart = cache.getStatistics().hits(Tier.L2);
				await().atMost(Duration.ofSeconds(10)).until(() -> cache.getStatistics().hits(Tier.L2) > l2HitsAfterRestart);
				running.set(false);
				for (Future<?> worker : workers) {
					worker.get(10, TimeUnit.SECONDS);
				}
				pool.shutdown();
				assertThat(errors).as("exceptions that reached callers").isEmpty();
				assertThat(tooStale).as("reads older than the L1 TTL allows").isEmpty();
			}));
		}
	}

	/** A read is fine if its version is current, or was superseded less than the L1 TTL ago. */
	private static void check(long id, String value, List<String> tooStale) {
		long current = VERSIONS.get(id).get();
		if (value.equals(id + ":" + current)) {
			return;
		}
		Long supersededAt = SUPERSEDED_AT.get(value);
		// The bound: the L1 TTL, plus, around the outage, the time until the writing instance
		// reaches Redis again and replays its invalidations (one probe period, 300 ms, after
		// its Lettuce reconnects), plus slack for a loaded 2-core machine.
		long allowed = LOCAL_TTL.toMillis() + 300 + 1200;
		if (supersededAt != null && System.currentTimeMillis() - supersededAt > allowed) {
			tooStale.add(value + " superseded " + (System.currentTimeMillis() - supersededAt) + " ms ago");
		}
	}

	/** Lets the load run for a while: a phase of the scenario, not a wait for a condition. */
	private static void pause(Duration duration) throws InterruptedException {
		TimeUnit.MILLISECONDS.sleep(duration.toMillis());
	}

	/** Reads and writes of an item table both instances share. */
	public static class ItemService {

		@ReadThrough(cache = "items", key = "#id")
		public String read(long id) {
			return id + ":" + VERSIONS.get(id).get();
		}

		@WriteThrough(cache = "items", key = "#id")
		public String update(long id) {
			synchronized (VERSIONS.get(id)) {
				long previous = VERSIONS.get(id).get();
				SUPERSEDED_AT.put(id + ":" + previous, System.currentTimeMillis());
				return id + ":" + VERSIONS.get(id).incrementAndGet();
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ItemsConfiguration {

		@Bean
		ItemService itemService() {
			return new ItemService();
		}

	}

}
