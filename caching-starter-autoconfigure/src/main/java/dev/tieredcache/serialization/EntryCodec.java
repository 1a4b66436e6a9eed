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
 * <p>Every entry is written as format {@value #COMPACT_FORMAT_VERSION}: the flags byte tells
 * null and compression, the schema id follows it (8 bytes at {@link #SCHEMA_OFFSET}, where a
 * reader or a Redis script finds it without reading the value; {@link #NO_SCHEMA} for a cache
 * without one), then the timestamps, load time, epoch and tags as variable-length integers
 * (LEB128; the expiry and stale-until as differences from the time before them, signed
 * ones zigzag-encoded). That header takes some 32 bytes where the fixed one of formats
 * {@value #FORMAT_VERSION} to {@value #SCHEMA_FORMAT_VERSION} took 42 to 50, which is what a
 * small value's allocation in Redis turns on. Those formats are still read; older releases
 * refuse format {@value #COMPACT_FORMAT_VERSION} as a miss (or, with a schema, as another
 * schema's value). What an instance of an older release must be able to read during a
 * rolling upgrade — pending write-behind values and their keys, which any instance may flush
 * — is written in the fixed layout with {@link #encodeFixed}.
 */
public final class EntryCodec {

	/** The first layout, with a fixed-size header; still read, no longer written. */
	public static final byte FORMAT_VERSION = 2;

	/** The first layout, with the value compressed; still read, no longer written. */
	public static final byte COMPRESSED_FORMAT_VERSION = 3;

	/** The fixed-size layout with a schema id after the flags; still read, no longer written. */
	public static final byte SCHEMA_FORMAT_VERSION = 4;

	/** The layout of every entry written now: schema id, then variable-length integers. */
	public static final byte COMPACT_FORMAT_VERSION = 5;

	/** Where the format version byte is, from the envelope's start. */
	public static final int FORMAT_OFFSET = 2;

	/** Where the schema id of formats {@value #SCHEMA_FORMAT_VERSION} and {@value #COMPACT_FORMAT_VERSION} is, from the envelope's start. */
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

	/** The fixed header of formats 2 to 4 (without format 4's schema id). */
	private static final int HEADER = 2 + 1 + 1 + 8 + 8 + 8 + 4 + 8 + 2;

	/** The fixed part of format 5: magic, format, flags and schema id. */
	private static final int COMPACT_PREFIX = 2 + 1 + 1 + 8;

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
		long[] versions = entry.tagVersions();
		byte[][] tagBytes = new byte[tags.length][];
		long writtenAt = entry.writtenAt();
		long expiresIn = zigzag(entry.expiresAt() - writtenAt);
		long staleFor = zigzag(entry.staleUntil() - entry.expiresAt());
		long loadMillis = zigzag(entry.loadMillis());
		long epoch = zigzag(entry.epoch());
		int size = reserved + COMPACT_PREFIX + varintSize(writtenAt) + varintSize(expiresIn) + varintSize(staleFor)
				+ varintSize(loadMillis) + varintSize(epoch) + varintSize(tags.length) + payload.length;
		for (int i = 0; i < tags.length; i++) {
			tagBytes[i] = tags[i].getBytes(StandardCharsets.UTF_8);
			size += varintSize(tagBytes[i].length) + tagBytes[i].length + varintSize(zigzag(versions[i]));
		}
		ByteBuffer buffer = ByteBuffer.allocate(size);
		buffer.position(reserved);
		byte flags = (byte) (((entry.get() == null) ? FLAG_NULL : 0) | (compressed ? FLAG_COMPRESSED : 0));
		buffer.put(MAGIC_0).put(MAGIC_1).put(COMPACT_FORMAT_VERSION).put(flags).putLong(schema);
		putVarint(buffer, writtenAt);
		putVarint(buffer, expiresIn);
		putVarint(buffer, staleFor);
		putVarint(buffer, loadMillis);
		putVarint(buffer, epoch);
		putVarint(buffer, tags.length);
		for (int i = 0; i < tags.length; i++) {
			putVarint(buffer, tagBytes[i].length);
			buffer.put(tagBytes[i]);
			putVarint(buffer, zigzag(versions[i]));
		}
		buffer.put(payload);
		return buffer.array();
	}

	/**
	 * Builds the envelope in the fixed-size layout of formats {@value #FORMAT_VERSION} to
	 * {@value #SCHEMA_FORMAT_VERSION}, which releases before format
	 * {@value #COMPACT_FORMAT_VERSION} read: for bytes an instance of such a release may have
	 * to read during a rolling upgrade.
	 * @param entry the entry
	 * @param payload the serialized value, or its compressed form
	 * @param compressed whether the payload is compressed
	 * @param reserved how many bytes to leave free before the envelope
	 * @param schema the schema id, {@link #NO_SCHEMA} for none
	 * @return the reserved bytes (zero) followed by the envelope
	 */
	public byte[] encodeFixed(CacheEntry entry, byte[] payload, boolean compressed, int reserved, long schema) {
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
		if (bytes.length - offset < COMPACT_PREFIX || bytes[offset] != MAGIC_0 || bytes[offset + 1] != MAGIC_1) {
			throw new SerializationFailedException("Not a tiered-cache entry");
		}
		byte format = bytes[offset + 2];
		if (format != FORMAT_VERSION && format != COMPRESSED_FORMAT_VERSION && format != SCHEMA_FORMAT_VERSION
				&& format != COMPACT_FORMAT_VERSION) {
			throw new SerializationFailedException("Unknown entry format version " + format);
		}
		try {
			ByteBuffer buffer = ByteBuffer.wrap(bytes, offset + 3, bytes.length - offset - 3);
			byte flags = buffer.get();
			boolean isNull = (flags & FLAG_NULL) != 0;
			boolean compressed = (format == COMPRESSED_FORMAT_VERSION) || (flags & FLAG_COMPRESSED) != 0;
			if (format == SCHEMA_FORMAT_VERSION || format == COMPACT_FORMAT_VERSION) {
				buffer.getLong();
			}
			long writtenAt;
			long expiresAt;
			long staleUntil;
			int loadMillis;
			long epoch;
			int tagCount;
			if (format == COMPACT_FORMAT_VERSION) {
				writtenAt = getVarint(buffer);
				expiresAt = writtenAt + unzigzag(getVarint(buffer));
				staleUntil = expiresAt + unzigzag(getVarint(buffer));
				loadMillis = (int) unzigzag(getVarint(buffer));
				epoch = unzigzag(getVarint(buffer));
				tagCount = count(getVarint(buffer), buffer);
				if (tagCount > Short.MAX_VALUE || tagCount > buffer.remaining() / 2) {
					// Each tag takes two bytes at least: a count beyond that is corrupt, and must
					// not size the arrays below.
					throw new SerializationFailedException("Corrupt entry header");
				}
			}
			else {
				writtenAt = buffer.getLong();
				expiresAt = buffer.getLong();
				staleUntil = buffer.getLong();
				loadMillis = buffer.getInt();
				epoch = buffer.getLong();
				tagCount = buffer.getShort();
			}
			if (tagCount < 0) {
				throw new SerializationFailedException("Corrupt entry header");
			}
			String[] tags = new String[tagCount];
			long[] versions = new long[tagCount];
			for (int i = 0; i < tagCount; i++) {
				int length = (format == COMPACT_FORMAT_VERSION) ? count(getVarint(buffer), buffer)
						: buffer.getShort() & 0xFFFF;
				byte[] tag = new byte[length];
				buffer.get(tag);
				tags[i] = new String(tag, StandardCharsets.UTF_8);
				versions[i] = (format == COMPACT_FORMAT_VERSION) ? unzigzag(getVarint(buffer)) : buffer.getLong();
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
		if (bytes.length - offset < COMPACT_PREFIX || bytes[offset] != MAGIC_0 || bytes[offset + 1] != MAGIC_1) {
			return -1;
		}
		byte format = bytes[offset + FORMAT_OFFSET];
		if (format == FORMAT_VERSION || format == COMPRESSED_FORMAT_VERSION) {
			return (bytes.length - offset < HEADER) ? -1 : NO_SCHEMA;
		}
		if (format == SCHEMA_FORMAT_VERSION && bytes.length - offset < HEADER + 8 || format != SCHEMA_FORMAT_VERSION
				&& format != COMPACT_FORMAT_VERSION) {
			return -1;
		}
		return ByteBuffer.wrap(bytes, offset + SCHEMA_OFFSET, 8).getLong();
	}

	/**
	 * Whether an envelope's value is compressed.
	 * @param bytes the stored bytes
	 * @param offset where the envelope starts
	 * @return whether it is
	 */
	public static boolean isCompressed(byte[] bytes, int offset) {
		if (bytes.length - offset < 4) {
			return false;
		}
		byte format = bytes[offset + FORMAT_OFFSET];
		return format == COMPRESSED_FORMAT_VERSION
				|| (format == SCHEMA_FORMAT_VERSION || format == COMPACT_FORMAT_VERSION)
						&& (bytes[offset + FORMAT_OFFSET + 1] & FLAG_COMPRESSED) != 0;
	}

	private static long zigzag(long value) {
		return (value << 1) ^ (value >> 63);
	}

	private static long unzigzag(long value) {
		return (value >>> 1) ^ -(value & 1);
	}

	private static int varintSize(long value) {
		int size = 1;
		while ((value & ~0x7FL) != 0) {
			value >>>= 7;
			size++;
		}
		return size;
	}

	private static void putVarint(ByteBuffer buffer, long value) {
		while ((value & ~0x7FL) != 0) {
			buffer.put((byte) ((value & 0x7F) | 0x80));
			value >>>= 7;
		}
		buffer.put((byte) value);
	}

	private static long getVarint(ByteBuffer buffer) {
		long value = 0;
		for (int shift = 0; shift < 64; shift += 7) {
			byte b = buffer.get();
			value |= (long) (b & 0x7F) << shift;
			if (b >= 0) {
				return value;
			}
		}
		throw new SerializationFailedException("Corrupt entry header");
	}

	/** A count (tags, bytes of a tag) that must fit in what is left of the envelope. */
	private static int count(long value, ByteBuffer buffer) {
		if (value < 0 || value > buffer.remaining()) {
			throw new SerializationFailedException("Corrupt entry header");
		}
		return (int) value;
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
