package dev.tieredcache.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.cache.ReadRequest;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.cache.ValueLoader;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;
import dev.tieredcache.test.TestThreads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Stale-if-error (issue 16, §2): while the database fails, callers of keys that had values
 * get the last value instead of an error, and the fleet backs off, so that the failing
 * database is asked for each key only about log2(outage / first back-off) times.
 */
class StaleIfErrorTests {

	private static final Duration OUTAGE = Duration.ofSeconds(3);

	private static final long FIRST_BACKOFF_MILLIS = 100;

	private final ApplicationContextRunner runner = Instances
		.runner(TestRedis.SHARED_PORT, TestRedis.uniquePrefix("stale-if-error"))
		.withPropertyValues("tiered-cache.caches.prices.ttl=500ms", "tiered-cache.caches.prices.jitter=0",
				"tiered-cache.caches.prices.local.ttl=200ms", "tiered-cache.caches.prices.stale-if-error=1m",
				"tiered-cache.caches.prices.stale-if-error-backoff=" + FIRST_BACKOFF_MILLIS + "ms");

	@Test
	void duringAnOutageCallersGetTheLastValuesAndTheDatabaseIsAskedRarely() {
		this.runner.run((a) -> this.runner.run((b) -> {
			List<TieredCache> caches = List.of(cache(a), cache(b));
			Database database = new Database();
			List<String> keys = List.of("1", "2", "3", "4", "5");
			for (String key : keys) {
				assertThat(read(caches.get(0), key, database)).isEqualTo("v1 of " + key);
			}
			database.failing.set(true);
			// Every key expires and its first failed load is answered stale.
			await().atMost(Duration.ofSeconds(5)).until(() -> keys.stream().allMatch((key) -> {
				assertThat(read(caches.get(1), key, database)).isEqualTo("v1 of " + key);
				return database.calls(key) > 0;
			}));
			AtomicReference<Throwable> error = new AtomicReference<>();
			AtomicInteger reads = new AtomicInteger();
			long end = System.nanoTime() + OUTAGE.toNanos();
			List<CompletableFuture<Void>> callers = new ArrayList<>();
			for (int i = 0; i < 4; i++) {
				TieredCache cache = caches.get(i % 2);
				callers.add(CompletableFuture.runAsync(() -> {
					while (System.nanoTime() < end && error.get() == null) {
						for (String key : keys) {
							try {
								Object value = read(cache, key, database);
								if (!("v1 of " + key).equals(value)) {
									error.set(new AssertionError("served " + value + " for " + key));
								}
								reads.incrementAndGet();
							}
							catch (Throwable ex) {
								error.set(ex);
							}
						}
					}
				}, TestThreads.EACH_ON_ITS_OWN));
			}
			callers.forEach(CompletableFuture::join);
			assertThat(error.get()).as("no caller saw an error").isNull();
			int outageMillis = (int) OUTAGE.toMillis() + 5000;
			int bound = (int) Math.ceil(Math.log(outageMillis / (double) FIRST_BACKOFF_MILLIS) / Math.log(2)) + 2;
			assertThat(reads.get()).as("reads during the outage").isGreaterThan(100);
			for (String key : keys) {
				assertThat(database.calls(key)).as("loads of %s during %d reads", key, reads.get())
					.isBetween(2, bound);
			}
			database.failing.set(false);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> ("v2 of 1").equals(read(caches.get(1), "1", database)));
		}));
	}

	@Test
	void aFailureIsNotHiddenWhenThereIsNoValueOrAWriteRemovedIt() {
		this.runner.run((a) -> {
			TieredCache cache = cache(a);
			Database database = new Database();
			assertThat(read(cache, "written", database)).isEqualTo("v1 of written");
			database.failing.set(true);
			assertThatExceptionOfType(IllegalStateException.class).as("never loaded: nothing to serve")
				.isThrownBy(() -> read(cache, "never", database));
			cache.evict("written");
			assertThatExceptionOfType(IllegalStateException.class).as("evicted: the old value is gone")
				.isThrownBy(() -> read(cache, "written", database));
			assertThat(cache.getStatistics().staleServedOnError()).isZero();
		});
	}

	private static TieredCache cache(org.springframework.context.ApplicationContext context) {
		return context.getBean(TieredCacheManager.class).getCache("prices");
	}

	private static Object read(TieredCache cache, String key, Database database) {
		ValueLoader loader = () -> database.load(key);
		try {
			return cache.readThrough(ReadRequest.of(key, new String[0], loader, null, null));
		}
		catch (RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** A database that answers version 1 of each row, then fails, then answers version 2. */
	static final class Database {

		final AtomicBoolean failing = new AtomicBoolean();

		private final AtomicBoolean failedOnce = new AtomicBoolean();

		private final Map<String, AtomicInteger> callsWhileFailing = new ConcurrentHashMap<>();

		Object load(String key) {
			if (this.failing.get()) {
				this.failedOnce.set(true);
				this.callsWhileFailing.computeIfAbsent(key, (k) -> new AtomicInteger()).incrementAndGet();
				throw new IllegalStateException("database unavailable");
			}
			return (this.failedOnce.get() ? "v2 of " : "v1 of ") + key;
		}

		int calls(String key) {
			AtomicInteger calls = this.callsWhileFailing.get(key);
			return (calls != null) ? calls.get() : 0;
		}

	}

}
