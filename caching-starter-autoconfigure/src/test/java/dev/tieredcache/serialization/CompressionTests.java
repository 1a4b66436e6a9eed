package dev.tieredcache.serialization;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.cache.CacheEntry;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.RedisKeyLayout;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Compression of large values in Redis (issue 12, §3): smaller entries in Redis, read by
 * every instance whatever its own setting, and no way for a payload to expand beyond its
 * declared size.
 */
class CompressionTests {

	private final String prefix = TestRedis.uniquePrefix("compression");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, this.prefix);

	private final EntryCodec codec = new EntryCodec(new AllowListJsonSerializer(List.of("dev.tieredcache")));

	@Test
	void aLargeValueIsStoredCompressedAndReadByAnInstanceThatDoesNotCompress() {
		this.runner.withPropertyValues("tiered-cache.caches.documents.compression.enabled=true")
			.run((a) -> this.runner.run((b) -> {
				TieredCache cacheA = a.getBean(TieredCacheManager.class).getCache("documents");
				TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("documents");
				Document large = document(400);
				cacheA.put("large", large);
				cacheA.put("small", document(1));
				int uncompressed = this.codec.serializeValue(large).length;
				byte[] stored = stored("documents", "large");
				assertThat(stored.length).as("compressed in Redis (serialized: %d bytes)", uncompressed)
					.isLessThan(uncompressed / 4);
				assertThat(compressed(stored)).isTrue();
				assertThat(compressed(stored("documents", "small"))).as("below the threshold").isFalse();
				assertThat(cacheB.get("large", Document.class)).isEqualTo(large);
				assertThat(cacheB.get("small", Document.class)).isEqualTo(document(1));
				cacheB.put("from-b", large);
				assertThat(compressed(stored("documents", "from-b"))).as("B does not compress").isFalse();
				cacheA.clearLocal();
				assertThat(cacheA.get("from-b", Document.class)).isEqualTo(large);
			}));
	}

	@Test
	void aValueThatDoesNotShrinkIsStoredAsItIs() {
		byte[] random = new byte[4096];
		new java.util.Random(42).nextBytes(random);
		assertThat(this.codec.compress(random)).isNull();
		assertThat(this.codec.compress(new byte[4])).as("too small to gain").isNull();
	}

	@Test
	void anEntryRoundTripsThroughCompression() {
		Document value = document(50);
		byte[] payload = this.codec.compress(this.codec.serializeValue(value));
		assertThat(payload).isNotNull();
		CacheEntry entry = new CacheEntry(value, 1, 2, 3, 4, new String[] { "tag" }, new long[] { 7 }, 9);
		CacheEntry read = this.codec.decode(this.codec.encode(entry, payload, true, 5), 5);
		assertThat(read.get()).isEqualTo(value);
		assertThat(read.tags()).containsExactly("tag");
		assertThat(read.tagVersions()).containsExactly(7);
	}

	@Test
	void aPayloadThatExpandsBeyondItsDeclaredLengthIsRefused() {
		byte[] zeros = new byte[10_000_000];
		byte[] bomb = deflate(zeros, 1000);
		CacheEntry entry = new CacheEntry("x", 1, 2, 3, 4, new String[0], new long[0], 0);
		assertThatExceptionOfType(SerializationFailedException.class)
			.isThrownBy(() -> this.codec.decode(this.codec.encode(entry, bomb, true, 0), 0))
			.withMessageContaining("declared length");
	}

	@Test
	void aPayloadDeclaringMoreThanTheLimitIsRefusedBeforeAnythingIsAllocated() {
		byte[] bomb = deflate(new byte[16], EntryCodec.MAX_INFLATED_SIZE + 1);
		CacheEntry entry = new CacheEntry("x", 1, 2, 3, 4, new String[0], new long[0], 0);
		assertThatExceptionOfType(SerializationFailedException.class)
			.isThrownBy(() -> this.codec.decode(this.codec.encode(entry, bomb, true, 0), 0))
			.withMessageContaining("beyond the limit");
	}

	@Test
	void corruptCompressedBytesAreAMissNotAnError() {
		byte[] corrupt = ByteBuffer.allocate(12).putInt(100).putLong(0xFFFF_FFFF_FFFFL).array();
		CacheEntry entry = new CacheEntry("x", 1, 2, 3, 4, new String[0], new long[0], 0);
		assertThatExceptionOfType(SerializationFailedException.class)
			.isThrownBy(() -> this.codec.decode(this.codec.encode(entry, corrupt, true, 0), 0));
	}

	@Test
	void aThresholdThatIsNotPositiveFailsStartUpNamingTheProperty() {
		this.runner.withPropertyValues("tiered-cache.caches.documents.compression.threshold=0B").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("tiered-cache.caches.documents.compression.threshold");
		});
	}

	/** Deflates data, declaring the given length in front as {@link EntryCodec#compress} does. */
	private static byte[] deflate(byte[] data, int declaredLength) {
		Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
		deflater.setInput(data);
		deflater.finish();
		byte[] out = new byte[data.length + 64];
		int length = deflater.deflate(out);
		deflater.end();
		return ByteBuffer.allocate(4 + length).putInt(declaredLength).put(out, 0, length).array();
	}

	private static Document document(int lines) {
		List<String> text = new ArrayList<>();
		for (int i = 0; i < lines; i++) {
			text.add("line " + i + " of a document that repeats itself, as JSON documents do");
		}
		return new Document("doc", text);
	}

	private static boolean compressed(byte[] stored) {
		return EntryCodec.isCompressed(stored, RedisKeyLayout.ENTRY_HEADER);
	}

	private byte[] stored(String cache, String key) {
		try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
			List<byte[]> keys = redis.commands().keys((this.prefix + "c:{" + cache + "@*" + key + "*").getBytes());
			assertThat(keys).as("entry of %s", key).hasSize(1);
			return redis.commands().get(keys.get(0));
		}
	}

	public record Document(String name, List<String> lines) {
	}

}
