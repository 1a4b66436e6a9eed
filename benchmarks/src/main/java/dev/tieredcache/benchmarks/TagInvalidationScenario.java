package dev.tieredcache.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;
import org.springframework.context.ConfigurableApplicationContext;

import dev.tieredcache.TieredCacheOperations;
import dev.tieredcache.cache.CacheKeyEncoder;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.CoordinationStatistics.InvalidationKind;

/**
 * Benchmark 4, tag invalidation as the number of tagged entries grows: {@code n} entries of
 * one catalog are written with the catalog's tag through {@code @WriteThrough} on instance
 * A; instance B serves one of them from its L1. Measured per repetition: how long
 * {@code invalidateTags} takes on A, and how long until B stops serving the entry (its L1
 * check fails once the tag's new version reaches it through pub/sub). The repetitions
 * start once B's subscriber has taken in the invalidation messages of the {@code n} writes
 * (how long that took is recorded too): otherwise the tag's message would wait behind them
 * and the figure would measure the subscriber's backlog, not the invalidation.
 *
 * <p>Reference: Spring's cache abstraction has no tags; the nearest way to drop a group of
 * entries is a cache per group and {@code Cache.invalidate()} on a {@code RedisCacheManager}
 * (SCAN and UNLINK of the group's keys; {@code clear()} may return before the keys are
 * gone, so it is not what a caller needing the entries gone at once can use). Floor: one Redis round trip (an {@code INCR}), what
 * an O(1) invalidation cannot go below. Goal (issue 6, item 4): flat in {@code n}, and under
 * 10 ms to reach the other instance.
 */
final class TagInvalidationScenario {

	private static final int WRITERS = 4;

	private final int port;

	private final int[] sizes;

	private final int repetitions;

	TagInvalidationScenario(int port, int[] sizes, int repetitions) {
		this.port = port;
		this.sizes = sizes;
		this.repetitions = repetitions;
	}

	Map<String, Object> run() throws Exception {
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("repetitions", this.repetitions);
		List<Object> rows = new ArrayList<>();
		String prefix = RedisAccess.uniquePrefix("tags");
		ProductSource source = new ProductSource();
		try (RedisAccess redis = new RedisAccess(this.port)) {
			ConfigurableApplicationContext a = Instances.starter(this.port, prefix, source);
			ConfigurableApplicationContext b = Instances.starter(this.port, prefix, source);
			// Immediate writes: with Spring Boot's default asynchronous writes, puts may land
			// after the invalidate() that should remove them.
			ConfigurableApplicationContext spring = Instances.springRedis(this.port, prefix + "spring:", source, false,
					true);
			try {
				for (int n : this.sizes) {
					Map<String, Object> row = new LinkedHashMap<>();
					row.put("entries", n);
					row.putAll(measureStarter(a, b, n));
					row.put("springInvalidate", measureReference(spring.getBean(CacheManager.class), n));
					row.put("floorRoundTrip", measureFloor(redis, prefix));
					rows.add(row);
					System.out.println("  tags: " + row);
				}
			}
			finally {
				a.close();
				b.close();
				spring.close();
				redis.deletePrefix(prefix);
			}
		}
		result.put("sizes", rows);
		return result;
	}

	private Map<String, Object> measureStarter(ConfigurableApplicationContext a, ConfigurableApplicationContext b,
			int n) throws Exception {
		StarterProducts writer = a.getBean(StarterProducts.class);
		StarterProducts reader = b.getBean(StarterProducts.class);
		TieredCacheOperations operations = a.getBean(TieredCacheOperations.class);
		TieredCacheManager readerManager = b.getBean(TieredCacheManager.class);
		TieredCache readerCache = readerManager.getCache("catalog");
		long catalog = n;
		long received = readerManager.getCoordinationStatistics().invalidations(InvalidationKind.KEY, true);
		long started = System.nanoTime();
		parallel(n, (id) -> writer.saveInCatalog(catalog, new Product(id, "product-" + id, id)));
		long populated = System.nanoTime();
		// Each write told B to drop the key; the tag's message would queue behind those, so
		// the measurement starts once B has taken them all in (and says how long that took).
		boolean caughtUp = await(() -> readerManager.getCoordinationStatistics().invalidations(InvalidationKind.KEY,
				true) - received >= n, 300);
		long drained = System.nanoTime();
		long probe = 0;
		String probeKey = CacheKeyEncoder.encodeKey(catalog + ":" + probe);
		long[] invalidate = new long[this.repetitions];
		long[] propagate = new long[this.repetitions];
		int timeouts = 0;
		for (int rep = 0; rep < this.repetitions; rep++) {
			writer.saveInCatalog(catalog, new Product(probe, "probe", rep));
			long price = rep;
			if (!await(() -> reader.findInCatalog(catalog, probe).priceCents() == price
					&& readerCache.peekLocal(probeKey) != null, 30)) {
				throw new IllegalStateException("Instance B never served the probe entry from L1");
			}
			long t0 = System.nanoTime();
			operations.invalidateTags("catalog:" + catalog);
			long t1 = System.nanoTime();
			long deadline = t1 + TimeUnit.SECONDS.toNanos(30);
			while (readerCache.peekLocal(probeKey) != null) {
				if (System.nanoTime() > deadline) {
					timeouts++;
					break;
				}
				Thread.onSpinWait();
			}
			long t2 = System.nanoTime();
			invalidate[rep] = t1 - t0;
			propagate[rep] = t2 - t0;
		}
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("populateSeconds", Math.round((populated - started) / 1e6) / 1e3);
		result.put("subscriberCatchUpSeconds", Math.round((drained - populated) / 1e6) / 1e3);
		result.put("subscriberCaughtUp", caughtUp);
		result.put("propagationTimeouts", timeouts);
		result.put("invalidateTags", Latencies.summary(invalidate));
		result.put("untilOtherInstanceStops", Latencies.summary(propagate));
		return result;
	}

	/**
	 * Measures the reference; a quirk of the reference is recorded in its figures, never
	 * allowed to abort the run.
	 */
	private Map<String, Object> measureReference(CacheManager manager, int n) {
		try {
			return measureSpringClear(manager, n);
		}
		catch (Exception ex) {
			Map<String, Object> failed = Latencies.summary(new long[0]);
			failed.put("error", ex.toString());
			return failed;
		}
	}

	private Map<String, Object> measureSpringClear(CacheManager manager, int n) throws Exception {
		Cache cache = manager.getCache("catalog-" + n);
		int reps = (n >= 100_000) ? 1 : (n >= 1000) ? Math.min(5, this.repetitions) : this.repetitions;
		long[] clear = new long[reps];
		int leftEntries = 0;
		for (int rep = 0; rep < reps; rep++) {
			parallel(n, (id) -> cache.put(id, new Product(id, "product-" + id, id)));
			long t0 = System.nanoTime();
			cache.invalidate();
			clear[rep] = System.nanoTime() - t0;
			if (cache.get(0L) != null) {
				leftEntries++;
			}
		}
		Map<String, Object> result = Latencies.summary(clear);
		// Repetitions after whose invalidate() an entry could still be read: a write that
		// landed late would show here.
		result.put("repetitionsWithEntryLeft", leftEntries);
		return result;
	}

	private Map<String, Object> measureFloor(RedisAccess redis, String prefix) {
		byte[] key = RedisAccess.bytes(prefix + "floor");
		long[] times = new long[Math.max(this.repetitions, 10)];
		for (int i = 0; i < times.length; i++) {
			long t0 = System.nanoTime();
			redis.commands().incr(key);
			times[i] = System.nanoTime() - t0;
		}
		return Latencies.summary(times);
	}

	private static void parallel(int n, LongConsumer write) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
		try {
			List<Future<?>> parts = new ArrayList<>();
			for (int w = 0; w < WRITERS; w++) {
				int first = w;
				parts.add(pool.submit(() -> {
					for (long id = first; id < n; id += WRITERS) {
						write.accept(id);
					}
				}));
			}
			for (Future<?> part : parts) {
				part.get(10, TimeUnit.MINUTES);
			}
		}
		finally {
			pool.shutdownNow();
		}
	}

	private static boolean await(BooleanSupplier condition, int seconds) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				return false;
			}
			Thread.sleep(1);
		}
		return true;
	}

}
