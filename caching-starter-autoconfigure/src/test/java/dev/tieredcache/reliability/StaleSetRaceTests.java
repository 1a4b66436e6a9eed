package dev.tieredcache.reliability;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.tieredcache.annotation.InvalidateTags;
import dev.tieredcache.annotation.ReadThrough;
import dev.tieredcache.annotation.WriteThrough;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;
import dev.tieredcache.test.TestThreads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The stale-set race of look-aside caches: a slow read-through load that began before a
 * write or an invalidation must not leave its older value in the cache. Many randomized
 * rounds of a slow load on instance A racing a write-through or a tag invalidation on
 * instance B; after each round settles, the cache must hold the database's value or
 * nothing.
 */
class StaleSetRaceTests {

	private static final int ROUNDS = 150;

	/** The source of truth both instances share, as two instances share one database. */
	static final Map<Long, AtomicLong> DATABASE = new ConcurrentHashMap<>();

	private final String prefix = TestRedis.uniquePrefix("stale-set");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, this.prefix)
		.withUserConfiguration(ItemServiceConfiguration.class);

	@Test
	void aSlowLoadNeverStoresAValueOlderThanAConcurrentWriteOrInvalidation() {
		this.runner.run((a) -> this.runner.run((b) -> {
			ItemService reader = a.getBean(ItemService.class);
			ItemService writer = b.getBean(ItemService.class);
			TieredCache readerCache = a.getBean(TieredCacheManager.class).getCache("items");
			int stale = 0;
			int writes = 0;
			int invalidations = 0;
			for (int round = 0; round < ROUNDS; round++) {
				long id = round;
				DATABASE.put(id, new AtomicLong());
				boolean invalidate = ThreadLocalRandom.current().nextBoolean();
				CompletableFuture<String> load = CompletableFuture.supplyAsync(() -> reader.read(id), TestThreads.EACH_ON_ITS_OWN);
				CompletableFuture<Void> change = CompletableFuture.runAsync(() -> {
					pause(ThreadLocalRandom.current().nextInt(0, 12));
					if (invalidate) {
						writer.touch(id);
					}
					else {
						writer.write(id);
					}
				}, TestThreads.EACH_ON_ITS_OWN);
				CompletableFuture.allOf(load, change).join();
				if (invalidate) {
					invalidations++;
				}
				else {
					writes++;
				}
				if (!settlesFresh(readerCache, id)) {
					stale++;
				}
			}
			System.out.printf("Stale-set race: %d rounds (%d write-through, %d tag invalidation), %d stale%n",
					ROUNDS, writes, invalidations, stale);
			assertThat(stale).as("rounds that left a stale value in the cache").isZero();
		}));
	}

	/**
	 * Waits (at most a second, for the invalidation message) until what the cache serves
	 * is the database's value or nothing.
	 */
	private static boolean settlesFresh(TieredCache cache, long id) {
		String current = "v" + DATABASE.get(id).get();
		try {
			await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(5)).until(() -> {
				String cached = cache.get(id, String.class);
				return cached == null || cached.equals(current);
			});
			return true;
		}
		catch (org.awaitility.core.ConditionTimeoutException ex) {
			return false;
		}
	}

	static void pause(int millis) {
		try {
			TimeUnit.MILLISECONDS.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** An item service whose reads are slow, so writes land in the middle of them. */
	public static class ItemService {

		@ReadThrough(cache = "items", key = "#id", tags = "'item:' + #id")
		public String read(long id) {
			String value = "v" + DATABASE.get(id).get();
			pause(ThreadLocalRandom.current().nextInt(0, 15));
			return value;
		}

		@WriteThrough(cache = "items", key = "#id", tags = "'item:' + #id")
		public String write(long id) {
			return "v" + DATABASE.get(id).incrementAndGet();
		}

		@InvalidateTags("'item:' + #id")
		public void touch(long id) {
			DATABASE.get(id).incrementAndGet();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ItemServiceConfiguration {

		@Bean
		ItemService itemService() {
			return new ItemService();
		}

	}

}
