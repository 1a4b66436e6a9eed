package dev.tieredcache.review3;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.cache.CacheEntry;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.RedisKeyLayout;
import dev.tieredcache.serialization.AllowListJsonSerializer;
import dev.tieredcache.serialization.EntryCodec;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * review3: a crafted compressed entry a few dozen bytes long makes every read of its key
 * allocate {@link EntryCodec#MAX_INFLATED_SIZE} (64 MiB) before a single byte is inflated.
 *
 * <p>Sequence: a key's entry in Redis is replaced by a format-3 envelope whose compressed
 * payload declares 64 MiB (the limit, so it passes the "declares more than the limit"
 * check) and carries 4 bytes of deflate data. A reader (compression on or off) decodes it:
 * {@code EntryCodec.inflate} allocates {@code new byte[declared]} up front, then finds the
 * data does not expand to it and treats the entry as a miss. The ratio of stored bytes to
 * heap allocated per read is about 1 : 1,000,000, so a handful of such keys read
 * concurrently (each read allocating 64 MiB) exhausts the heap and fails reads with
 * OutOfMemoryError, although a cache failure must never fail a read. max-value-size does
 * not help: it bounds the stored (compressed) size, not the declared one.
 *
 * <p>Expected: the memory a decode allocates is bounded by what the compressed data can
 * actually produce (grow the output as it inflates), not by what the payload claims.
 */
class CompressedPayloadAmplificationTests {

	private final String prefix = TestRedis.uniquePrefix("review3-bomb");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, this.prefix);

	private final EntryCodec codec = new EntryCodec(new AllowListJsonSerializer(List.of("dev.tieredcache")));

	@Test
	void aTinyCraftedEntryDoesNotMakeEachReadAllocateTheDeclaredSize() {
		this.runner.run((context) -> {
			TieredCache cache = context.getBean(TieredCacheManager.class).getCache("documents");
			cache.put("k", "a value");
			byte[] entryKey = entryKey("documents", "k");
			// 64 MiB declared (exactly the limit), 4 bytes of a never-ending deflate stream.
			byte[] payload = ByteBuffer.allocate(8).putInt(EntryCodec.MAX_INFLATED_SIZE).put(new byte[] { 0, 0, 0, 0 })
				.array();
			CacheEntry shell = new CacheEntry("x", System.currentTimeMillis(), System.currentTimeMillis() + 600_000,
					System.currentTimeMillis() + 600_000, 1, new String[0], new long[0], 0);
			byte[] crafted = this.codec.encode(shell, payload, true, RedisKeyLayout.ENTRY_HEADER);
			try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
				byte[] current = redis.commands().get(entryKey);
				System.arraycopy(current, 0, crafted, 0, RedisKeyLayout.ENTRY_HEADER);
				redis.commands().set(entryKey, crafted);
			}
			cache.clearLocal();
			com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory
				.getThreadMXBean();
			long id = Thread.currentThread().getId();
			long before = threads.getThreadAllocatedBytes(id);
			Object read = cache.get("k");
			long allocated = threads.getThreadAllocatedBytes(id) - before;
			assertThat(read).as("the crafted entry is a miss").isNull();
			assertThat(allocated)
				.as("heap allocated to read one key whose Redis entry is %d bytes", crafted.length)
				.isLessThan(8L * 1024 * 1024);
		});
	}

	private byte[] entryKey(String cache, String key) {
		try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
			List<byte[]> keys = redis.commands().keys((this.prefix + "c:{" + cache + "@*" + key + "*").getBytes());
			assertThat(keys).hasSize(1);
			return keys.get(0);
		}
	}

}
