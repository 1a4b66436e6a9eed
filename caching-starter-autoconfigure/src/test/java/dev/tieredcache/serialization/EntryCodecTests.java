package dev.tieredcache.serialization;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.tieredcache.cache.CacheEntry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The envelope of format 5 (variable-length header) reads back every field, stays small,
 * and the fixed-size formats written by earlier releases are still read.
 */
class EntryCodecTests {

	private static final long NOW = 1_795_000_000_000L;

	private static final long VERSION = 1_795_000_000_123_456L;

	private final EntryCodec codec = new EntryCodec(new AllowListJsonSerializer(List.of("java")));

	@Test
	void everyFieldReadsBack() {
		CacheEntry entry = new CacheEntry("value", NOW, NOW + 600_000, NOW + 630_000, 42,
				new String[] { "tag", "@group" }, new long[] { VERSION, 7 }, VERSION);
		byte[] stored = this.codec.encode(entry, this.codec.serializeValue("value"), false, 25, 0x1234_5678_9ABCL);
		CacheEntry read = this.codec.decode(stored, 25);
		assertThat(read.get()).isEqualTo("value");
		assertThat(read.writtenAt()).isEqualTo(NOW);
		assertThat(read.expiresAt()).isEqualTo(NOW + 600_000);
		assertThat(read.staleUntil()).isEqualTo(NOW + 630_000);
		assertThat(read.loadMillis()).isEqualTo(42);
		assertThat(read.tags()).containsExactly("tag", "@group");
		assertThat(read.tagVersions()).containsExactly(VERSION, 7);
		assertThat(read.epoch()).isEqualTo(VERSION);
		assertThat(EntryCodec.schemaOf(stored, 25)).isEqualTo(0x1234_5678_9ABCL);
		assertThat(stored[25 + EntryCodec.FORMAT_OFFSET]).isEqualTo(EntryCodec.COMPACT_FORMAT_VERSION);
	}

	@Test
	void oddValuesReadBack() {
		// Negative differences (an expiry before the write), a null, no tags, the largest numbers.
		CacheEntry entry = new CacheEntry(null, Long.MAX_VALUE - 5, 3, Long.MIN_VALUE, Integer.MAX_VALUE,
				new String[0], new long[0], -1);
		CacheEntry read = this.codec.decode(this.codec.encode(entry, new byte[0], false, 0, EntryCodec.NO_SCHEMA), 0);
		assertThat(read.get()).isNull();
		assertThat(read.writtenAt()).isEqualTo(Long.MAX_VALUE - 5);
		assertThat(read.expiresAt()).isEqualTo(3);
		assertThat(read.staleUntil()).isEqualTo(Long.MIN_VALUE);
		assertThat(read.loadMillis()).isEqualTo(Integer.MAX_VALUE);
		assertThat(read.epoch()).isEqualTo(-1);
	}

	@Test
	void theHeaderOfATypicalEntryIsSmallerThanTheFixedOne() {
		CacheEntry entry = new CacheEntry("v", NOW, NOW + 600_000, NOW + 600_000, 3, new String[0], new long[0],
				VERSION);
		byte[] payload = this.codec.serializeValue("v");
		int header = this.codec.encode(entry, payload, false, 0, 0x1234_5678_9ABCL).length - payload.length;
		// Format 4: 50 bytes with the schema id. Here: 12 fixed, the write time 6, the epoch (a
		// Redis time in microseconds) 8, the rest one to three each.
		assertThat(header).isLessThanOrEqualTo(32);
	}

	@Test
	void theFixedSizeFormatsOfEarlierReleasesAreStillRead() {
		byte[] payload = this.codec.serializeValue("old");
		for (byte format : new byte[] { EntryCodec.FORMAT_VERSION, EntryCodec.SCHEMA_FORMAT_VERSION }) {
			ByteBuffer buffer = ByteBuffer.allocate(64 + payload.length);
			buffer.put((byte) 'T').put((byte) 'C').put(format).put((byte) 0);
			if (format == EntryCodec.SCHEMA_FORMAT_VERSION) {
				buffer.putLong(99);
			}
			byte[] tag = "t".getBytes(StandardCharsets.UTF_8);
			buffer.putLong(NOW).putLong(NOW + 1000).putLong(NOW + 2000).putInt(5).putLong(VERSION);
			buffer.putShort((short) 1).putShort((short) tag.length).put(tag).putLong(VERSION + 1);
			buffer.put(payload);
			byte[] stored = Arrays.copyOf(buffer.array(), buffer.position());
			CacheEntry read = this.codec.decode(stored, 0);
			assertThat(read.get()).isEqualTo("old");
			assertThat(read.expiresAt()).isEqualTo(NOW + 1000);
			assertThat(read.tags()).containsExactly("t");
			assertThat(read.tagVersions()).containsExactly(VERSION + 1);
			assertThat(EntryCodec.schemaOf(stored, 0))
				.isEqualTo((format == EntryCodec.SCHEMA_FORMAT_VERSION) ? 99 : EntryCodec.NO_SCHEMA);
		}
	}

	@Test
	void aCorruptHeaderIsRefusedAsUnreadable() {
		CacheEntry entry = new CacheEntry("v", NOW, NOW + 1000, NOW + 1000, 0, new String[] { "t" },
				new long[] { 1 }, 1);
		byte[] stored = this.codec.encode(entry, this.codec.serializeValue("v"), false, 0, EntryCodec.NO_SCHEMA);
		for (int cut = 1; cut < 20; cut++) {
			byte[] truncated = Arrays.copyOf(stored, cut);
			assertThatExceptionOfType(SerializationFailedException.class)
				.isThrownBy(() -> this.codec.decode(truncated, 0));
		}
		byte[] endless = Arrays.copyOf(stored, 40);
		Arrays.fill(endless, 12, 40, (byte) 0xFF);
		assertThatExceptionOfType(SerializationFailedException.class).isThrownBy(() -> this.codec.decode(endless, 0));
	}

	@Test
	void aCorruptTagCountIsRefusedBeforeItSizesAnything() {
		// A large entry whose tag count claims every byte left: refused without allocating
		// arrays of that count (12 bytes of heap per claimed tag).
		int size = 8 * 1024 * 1024;
		ByteBuffer buffer = ByteBuffer.allocate(size);
		buffer.put((byte) 'T').put((byte) 'C').put(EntryCodec.COMPACT_FORMAT_VERSION).put((byte) 1).putLong(0);
		buffer.put(new byte[] { 0, 0, 0, 0, 0 });
		int claimed = size - buffer.position() - 4;
		buffer.put((byte) ((claimed & 0x7F) | 0x80)).put((byte) (((claimed >>> 7) & 0x7F) | 0x80))
			.put((byte) (((claimed >>> 14) & 0x7F) | 0x80)).put((byte) (claimed >>> 21));
		byte[] envelope = buffer.array();
		com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory
			.getThreadMXBean();
		long before = threads.getCurrentThreadAllocatedBytes();
		assertThatExceptionOfType(SerializationFailedException.class).isThrownBy(() -> this.codec.decode(envelope, 0));
		assertThat(threads.getCurrentThreadAllocatedBytes() - before).isLessThan(size);
	}

	@Test
	void theFixedLayoutIsWhatEarlierReleasesRead() {
		CacheEntry entry = new CacheEntry(5L, NOW, NOW + 1000, NOW + 1000, 0, new String[] { "t" }, new long[] { 1 },
				VERSION);
		byte[] payload = this.codec.serializeValue(5L);
		byte[] plain = this.codec.encodeFixed(entry, payload, false, 25, EntryCodec.NO_SCHEMA);
		byte[] withSchema = this.codec.encodeFixed(entry, payload, false, 25, 77);
		assertThat(plain[25 + EntryCodec.FORMAT_OFFSET]).isEqualTo(EntryCodec.FORMAT_VERSION);
		assertThat(withSchema[25 + EntryCodec.FORMAT_OFFSET]).isEqualTo(EntryCodec.SCHEMA_FORMAT_VERSION);
		assertThat(EntryCodec.schemaOf(withSchema, 25)).isEqualTo(77);
		assertThat(this.codec.decode(plain, 25).get()).isEqualTo(5L);
		assertThat(this.codec.decode(withSchema, 25).tagVersions()).containsExactly(1);
	}

}
