package dev.tieredcache.review;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import dev.tieredcache.cache.CacheServices;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "A change made while a replay runs is kept for the next one." A replay ends with
 * {@code keys.values().removeIf(Map::isEmpty)}; a key recorded at that moment goes into the
 * map of its cache that {@code computeIfAbsent} just returned, after which the map is
 * detached: the key is never replayed and no longer counted. Each recorded key is a lost
 * write (its replay leaves a tombstone in Redis); every one must reach Redis.
 */
class PendingReplayRaceTests {

	private static final int CHANGES = 30_000;

	@Test
	void aChangeRecordedWhileAReplayFinishesIsReplayedLater() {
		String prefix = TestRedis.uniquePrefix("pending-race");
		Instances.runner(TestRedis.SHARED_PORT, prefix)
			// Only this test replays; tombstones outlive the test.
			.withPropertyValues("tiered-cache.redis.repair-interval=1h", "tiered-cache.defaults.stampede.lease=5m")
			.run((context) -> {
				TieredCacheManager manager = context.getBean(TieredCacheManager.class);
				TieredCache cache = manager.getCache("users");
				CacheServices services = manager.getServices();
				Field field = TieredCacheManager.class.getDeclaredField("pending");
				field.setAccessible(true);
				Object pending = field.get(manager);
				Method key = pending.getClass().getDeclaredMethod("key", TieredCache.class, String.class, long.class,
						byte[].class);
				Method replay = pending.getClass().getDeclaredMethod("replay", CacheServices.class);
				key.setAccessible(true);
				replay.setAccessible(true);

				AtomicBoolean done = new AtomicBoolean();
				Thread replayer = new Thread(() -> {
					while (!done.get()) {
						invoke(replay, pending, services);
					}
				});
				replayer.start();
				long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
				int recorded = 0;
				for (int i = 0; i < CHANGES && System.nanoTime() < deadline; i++) {
					// A new lost change arrives right after the previous ones were replayed.
					while (manager.pendingInvalidations() != 0 && System.nanoTime() < deadline) {
						Thread.onSpinWait();
					}
					invoke(key, pending, cache, "k" + i, System.nanoTime(), null);
					recorded++;
				}
				done.set(true);
				replayer.join();
				for (int attempt = 0; attempt < 3; attempt++) {
					invoke(replay, pending, services);
				}
				assertThat(manager.pendingInvalidations()).isZero();

				List<Integer> stranded = new ArrayList<>();
				try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
					for (int i = 0; i < recorded; i++) {
						if (redis.commands().exists((prefix + "c:{users:k" + i + "}").getBytes()) == 0) {
							stranded.add(i);
						}
					}
				}
				assertThat(stranded.size()).as("lost changes never replayed, of %d recorded (first: %s)", recorded,
						stranded.subList(0, Math.min(5, stranded.size())))
					.isZero();
			});
	}

	private static void invoke(Method method, Object target, Object... args) {
		try {
			method.invoke(target, args);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
