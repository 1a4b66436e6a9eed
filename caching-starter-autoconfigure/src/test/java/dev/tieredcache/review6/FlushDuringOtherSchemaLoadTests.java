package dev.tieredcache.review6;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.annotation.WriteBehind;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;
import dev.tieredcache.test.TestThreads;
import dev.tieredcache.writebehind.WriteBehindFlusher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * review6: a load by an instance that cannot read another schema's pending write-behind
 * value caches the row that write replaces, past the flush, for its whole TTL. Such an
 * instance asks for the lock without the pending value ({@code servePending} false) and
 * loads; {@code fill.lua} refuses a load over a pending value only by its missing TTL
 * ({@code PTTL ~= -1}). The flush's acknowledgement ({@code wb-ack.lua}) gives the entry its
 * TTL and keeps its write sequence, so a load that read the database before the flush and
 * stores after it passes both checks, and its older row lands in the schema's variant,
 * which is then served (same sequence as the entry) until it expires.
 */
class FlushDuringOtherSchemaLoadTests {

	/** The database: one row per key. */
	static final Map<String, Long> ROWS = new ConcurrentHashMap<>();

	/** The old version's value: a class the new version's serializer does not read. */
	public record Row(long value) {
	}

	/** The old version's write-behind repository. */
	public static class Saver {

		@WriteBehind(cache = "rows")
		public void save(String key, Row row) {
			ROWS.put(key, row.value());
		}

	}

	/**
	 * Sequence: the database holds k = 1. The old version ({@code schema.version=1}) calls
	 * {@code save(k, 2)}: pending, not yet flushed. The new version
	 * ({@code schema.version=2}, a serializer that cannot read the old version's class, as
	 * when a class changed incompatibly) reads k through the cache: it passes over the
	 * pending value, takes the lock, and its loader reads the database (1) and is slow.
	 * Meanwhile the old version's flusher writes 2 to the database and acknowledges. The
	 * load ends; the new version reads k again.
	 * Observed: the second read, after the flush, is still "1": the load's row was stored in
	 * the new version's variant under the sequence the write-behind write had set, which the
	 * flush kept. It stays for the TTL (10 minutes here).
	 * Expected: "2" (the load began after the write and read a row the write replaced: it
	 * must not be stored). Fix: make the flush's acknowledgement change what a load compares,
	 * e.g. {@code wb-ack.lua} advances the entry's sequence (it is a change of the entry: from
	 * pending to flushed), or {@code acquire.lua} hands out no usable sequence (an empty one,
	 * which {@code fill.lua} never matches) when it passes over a pending value.
	 */
	@Test
	void aLoadThatReadTheRowBeforeTheFlushIsNotCached() throws Exception {
		ROWS.put("k", 1L);
		String prefix = TestRedis.uniquePrefix("review6-flush-race");
		ApplicationContextRunner oldVersion = Instances.runner(TestRedis.SHARED_PORT, prefix)
			.withBean(Saver.class, Saver::new)
			.withPropertyValues("tiered-cache.defaults.local.enabled=false", "tiered-cache.caches.rows.schema.version=1",
					"tiered-cache.defaults.write-behind.flush-interval=1h", "tiered-cache.defaults.ttl=10m",
					"tiered-cache.shutdown-timeout=1s");
		ApplicationContextRunner newVersion = Instances.runner(TestRedis.SHARED_PORT, prefix)
			.withPropertyValues("tiered-cache.defaults.local.enabled=false", "tiered-cache.caches.rows.schema.version=2",
					"tiered-cache.defaults.ttl=10m",
					"tiered-cache.serialization.allowed-packages=dev.tieredcache.review6.elsewhere");
		oldVersion.run((a) -> newVersion.run((b) -> {
			a.getBean(Saver.class).save("k", new Row(2));
			TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("rows");
			CountDownLatch read = new CountDownLatch(1);
			CountDownLatch flushed = new CountDownLatch(1);
			CompletableFuture<String> slowLoad = CompletableFuture.supplyAsync(() -> cacheB.get("k", () -> {
				String row = "row " + ROWS.get("k");
				read.countDown();
				flushed.await(10, TimeUnit.SECONDS);
				return row;
			}), TestThreads.EACH_ON_ITS_OWN);
			assertThat(read.await(10, TimeUnit.SECONDS)).as("the new version's loader ran").isTrue();
			a.getBean(WriteBehindFlusher.class).flushDue("rows");
			await().atMost(Duration.ofSeconds(5)).until(() -> ROWS.get("k") == 2L);
			flushed.countDown();
			assertThat(slowLoad.get(10, TimeUnit.SECONDS)).isEqualTo("row 1");
			assertThat(cacheB.get("k", () -> "row " + ROWS.get("k"))).as("read after the flush").isEqualTo("row 2");
		}));
	}

}
