package dev.tieredcache.serialization;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import org.jspecify.annotations.Nullable;

import dev.tieredcache.cache.CacheEntry;

/**
 * The envelope a {@link CacheEntry} travels in to and from Redis: a small binary header
 * (magic {@code TC}, format version, timestamps, load time, the cache's epoch, tags with
 * their versions) followed by the value as written by a {@link ValueSerializer}. The
 * envelope is written after a caller-chosen number of reserved bytes (the Redis tier keeps
 * the entry's write sequence there), so the stored bytes are built with one copy.
 *
 * <p>The magic and the format version let a reader tell its own data from anything else
 * under the key; whatever it cannot read raises {@link SerializationFailedException}, which
 * callers treat as a miss. A compressed value (Deflate, see {@link #compress}) is written as
 * format {@value #COMPRESSED_FORMAT_VERSION}, which a reader of an older release refuses as an
 * unknown format (a miss) rather than hand the compressed bytes to its deserializer.
 *
 * <p>An entry of a cache with a schema (see {@code dev.tieredcache.schema}) is written as
 * format {@value #SCHEMA_FORMAT_VERSION}: the flags byte also tells compression, and the
 * schema id follows it, 8 bytes at {@link #SCHEMA_OFFSET}, where a reader (or a Redis script)
 * finds it without reading the value. Older releases refuse the format as a miss.
 */
public final class EntryCodec {

	/** Version of the envelope layout written by this class. */
	public static final byte FORMAT_VERSION = 2;

	/** The same layout, with the value compressed. */
	public static final byte COMPRESSED_FORMAT_VERSION = 3;

	/** The layout with a schema id after the flags; compression is a flag. */
	public static final byte SCHEMA_FORMAT_VERSION = 4;

	/** Where the format version byte is, from the envelope's start. */
	public static final int FORMAT_OFFSET = 2;

	/** Where the schema id of format {@value #SCHEMA_FORMAT_VERSION} is, from the envelope's start. */
	public static final int SCHEMA_OFFSET = 4;

	/** The schema id of an entry written without one. */
	public static final long NO_SCHEMA = 0;

	/**
	 * Largest value a compressed payload may expand to: a guard against payloads that claim
	 * or inflate to more (a decompression bomb), checked before and while inflating.
	 */
	public static final int MAX_INFLATED_SIZE = 64 * 1024 * 1024;

	private static final byte MAGIC_0 = 'T';

	private static final byte MAGIC_1 = 'C';

	private static final byte FLAG_NULL = 1;

	private static final byte FLAG_COMPRESSED = 2;

	private static final int HEADER = 2 + 1 + 1 + 8 + 8 + 8 + 4 + 8 + 2;

	private final ValueSerializer serializer;

	public EntryCodec(ValueSerializer serializer) {
		this.serializer = serializer;
	}

	/**
	 * Serializes the value alone, to learn its size before an entry is built.
	 * @param value the value, may be null
	 * @return its bytes, empty for null
	 */
	public byte[] serializeValue(Object value) {
		return (value != null) ? this.serializer.serialize(value) : new byte[0];
	}

	/**
	 * Compresses a serialized value with Deflate (fastest level: a cache favours read and
	 * write time over the last percent of size).
	 * @param payload the serialized value
	 * @return its original length (4 bytes) followed by the compressed bytes, or null when
	 * that is not smaller than the payload or the payload exceeds {@link #MAX_INFLATED_SIZE}
	 */
	public byte @Nullable [] compress(byte[] payload) {
		if (payload.length <= 8 || payload.length > MAX_INFLATED_SIZE) {
			return null;
		}
		Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
		try {
			deflater.setInput(payload);
			deflater.finish();
			byte[] out = new byte[payload.length];
			ByteBuffer.wrap(out).putInt(payload.length);
			int length = 4;
			while (!deflater.finished()) {
				if (length == out.length) {
					return null;
				}
				length += deflater.deflate(out, length, out.length - length);
			}
			return (length < payload.length) ? Arrays.copyOf(out, length) : null;
		}
		finally {
			deflater.end();
		}
	}

	/**
	 * Builds the envelope for an entry whose value is already serialized.
	 * @param entry the entry
	 * @param payload the serialized value, from {@link #serializeValue}
	 * @param reserved how many bytes to leave free before the envelope
	 * @return the reserved bytes (zero) followed by the envelope
	 */
	public byte[] encode(CacheEntry entry, byte[] payload, int reserved) {
		return encode(entry, payload, false, reserved);
	}

	/**
	 * Builds the envelope for an entry whose value is already serialized, and perhaps
	 * compressed.
	 * @param entry the entry
	 * @param payload the serialized value, from {@link #serializeValue}, or its compressed
	 * form from {@link #compress}
	 * @param compressed whether the payload is compressed
	 * @param reserved how many bytes to leave free before the envelope
	 * @return the reserved bytes (zero) followed by the envelope
	 */
	public byte[] encode(CacheEntry entry, byte[] payload, boolean compressed, int reserved) {
		return encode(entry, payload, compressed, reserved, NO_SCHEMA);
	}

	/**
	 * Builds the envelope for an entry whose value is already serialized, and perhaps
	 * compressed, marked with the schema its value was written in.
	 * @param entry the entry
	 * @param payload the serialized value, or its compressed form
	 * @param compressed whether the payload is compressed
	 * @param reserved how many bytes to leave free before the envelope
	 * @param schema the schema id, {@link #NO_SCHEMA} for none
	 * @return the reserved bytes (zero) followed by the envelope
	 */
	public byte[] encode(CacheEntry entry, byte[] payload, boolean compressed, int reserved, long schema) {
		String[] tags = entry.tags();
		byte[][] tagBytes = new byte[tags.length][];
		int size = reserved + HEADER + payload.length + ((schema != NO_SCHEMA) ? 8 : 0);
		for (int i = 0; i < tags.length; i++) {
			tagBytes[i] = tags[i].getBytes(StandardCharsets.UTF_8);
			size += 2 + tagBytes[i].length + 8;
		}
		ByteBuffer buffer = ByteBuffer.allocate(size);
		buffer.position(reserved);
		byte flags = (entry.get() == null) ? FLAG_NULL : 0;
		if (schema != NO_SCHEMA) {
			buffer.put(MAGIC_0).put(MAGIC_1).put(SCHEMA_FORMAT_VERSION);
			buffer.put((byte) (flags | (compressed ? FLAG_COMPRESSED : 0))).putLong(schema);
		}
		else {
			buffer.put(MAGIC_0).put(MAGIC_1).put(compressed ? COMPRESSED_FORMAT_VERSION : FORMAT_VERSION);
			buffer.put(flags);
		}
		buffer.putLong(entry.writtenAt()).putLong(entry.expiresAt()).putLong(entry.staleUntil());
		buffer.putInt(entry.loadMillis());
		buffer.putLong(entry.epoch());
		buffer.putShort((short) tags.length);
		for (int i = 0; i < tags.length; i++) {
			buffer.putShort((short) tagBytes[i].length).put(tagBytes[i]).putLong(entry.tagVersions()[i]);
		}
		buffer.put(payload);
		return buffer.array();
	}

	/**
	 * Reads an envelope back.
	 * @param bytes the stored bytes
	 * @param offset where the envelope starts
	 * @return the entry
	 * @throws SerializationFailedException if the bytes are not an envelope this version
	 * can read, or hold a value that cannot be read
	 */
	public CacheEntry decode(byte[] bytes, int offset) {
		if (bytes.length - offset < HEADER || bytes[offset] != MAGIC_0 || bytes[offset + 1] != MAGIC_1) {
			throw new SerializationFailedException("Not a tiered-cache entry");
		}
		byte format = bytes[offset + 2];
		if (format != FORMAT_VERSION && format != COMPRESSED_FORMAT_VERSION && format != SCHEMA_FORMAT_VERSION) {
			throw new SerializationFailedException("Unknown entry format version " + format);
		}
		try {
			ByteBuffer buffer = ByteBuffer.wrap(bytes, offset + 3, bytes.length - offset - 3);
			byte flags = buffer.get();
			boolean isNull = (flags & FLAG_NULL) != 0;
			boolean compressed = (format == COMPRESSED_FORMAT_VERSION) || (flags & FLAG_COMPRESSED) != 0;
			if (format == SCHEMA_FORMAT_VERSION) {
				buffer.getLong();
			}
			long writtenAt = buffer.getLong();
			long expiresAt = buffer.getLong();
			long staleUntil = buffer.getLong();
			int loadMillis = buffer.getInt();
			long epoch = buffer.getLong();
			int tagCount = buffer.getShort();
			if (tagCount < 0) {
				throw new SerializationFailedException("Corrupt entry header");
			}
			String[] tags = new String[tagCount];
			long[] versions = new long[tagCount];
			for (int i = 0; i < tagCount; i++) {
				int length = buffer.getShort() & 0xFFFF;
				byte[] tag = new byte[length];
				buffer.get(tag);
				tags[i] = new String(tag, StandardCharsets.UTF_8);
				versions[i] = buffer.getLong();
			}
			Object value = null;
			if (!isNull) {
				byte[] payload = new byte[buffer.remaining()];
				buffer.get(payload);
				value = this.serializer.deserialize(compressed ? inflate(payload) : payload);
			}
			return new CacheEntry(value, writtenAt, expiresAt, staleUntil, loadMillis, tags, versions, epoch);
		}
		catch (BufferUnderflowException | IndexOutOfBoundsException | NegativeArraySizeException ex) {
			throw new SerializationFailedException("Truncated tiered-cache entry", ex);
		}
	}

	/**
	 * Reads the schema id of an envelope without reading its value.
	 * @param bytes the stored bytes
	 * @param offset where the envelope starts
	 * @return the schema id, {@link #NO_SCHEMA} for an envelope written without one, or
	 * {@code -1} for bytes that are not an envelope this version can read
	 */
	public static long schemaOf(byte[] bytes, int offset) {
		if (bytes.length - offset < HEADER || bytes[offset] != MAGIC_0 || bytes[offset + 1] != MAGIC_1) {
			return -1;
		}
		byte format = bytes[offset + FORMAT_OFFSET];
		if (format == FORMAT_VERSION || format == COMPRESSED_FORMAT_VERSION) {
			return NO_SCHEMA;
		}
		if (format != SCHEMA_FORMAT_VERSION || bytes.length - offset < HEADER + 8) {
			return -1;
		}
		return ByteBuffer.wrap(bytes, offset + SCHEMA_OFFSET, 8).getLong();
	}

	/**
	 * Expands a payload from {@link #compress}, to exactly the length it declares and never
	 * beyond {@link #MAX_INFLATED_SIZE}.
	 */
	private static byte[] inflate(byte[] compressed) {
		if (compressed.length < 4) {
			throw new SerializationFailedException("Truncated compressed value");
		}
		int length = ByteBuffer.wrap(compressed).getInt();
		if (length < 0 || length > MAX_INFLATED_SIZE) {
			throw new SerializationFailedException("Compressed value declares " + length + " bytes, beyond the limit");
		}
		Inflater inflater = new Inflater(true);
		try {
			inflater.setInput(compressed, 4, compressed.length - 4);
			// Grown as the data really expands, never allocated from the declared length alone:
			// a few bytes that claim 64 MiB must not cost 64 MiB per read.
			byte[] out = new byte[Math.min(length, Math.max(256, compressed.length * 4))];
			int filled = 0;
			while (filled < length) {
				if (filled == out.length) {
					out = Arrays.copyOf(out, (int) Math.min(length, 2L * out.length));
				}
				int n = inflater.inflate(out, filled, out.length - filled);
				if (n == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
					break;
				}
				filled += n;
			}
			if (filled != length || !inflater.finished()) {
				throw new SerializationFailedException("Compressed value does not expand to its declared length");
			}
			return out;
		}
		catch (DataFormatException ex) {
			throw new SerializationFailedException("Corrupt compressed value", ex);
		}
		finally {
			inflater.end();
		}
	}

}
