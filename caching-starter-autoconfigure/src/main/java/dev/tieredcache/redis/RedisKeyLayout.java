package dev.tieredcache.redis;

import java.nio.charset.StandardCharsets;

import org.springframework.util.Assert;

/**
 * Names of every Redis key and channel the starter uses, all under one prefix.
 *
 * <pre>
 * {prefix}c:{cache@key}   entry: write sequence (17 digits), write id (8 bytes), envelope;
 *                         the sequence alone is a tombstone
 * {prefix}c:{cache@key}#s a value loaded in schema s while the entry holds another
 *                         schema's value: valid while its sequence is the entry's
 * {prefix}l:{cache@key}   load lock
 * {prefix}w:{cache@key}   flag: someone waits for the load
 * {prefix}b:{cache@key}   back-off after a failed load served stale (stale-if-error):
 *                         failures so far and until when no load is tried
 * {prefix}q:{cache@key}   pending write-behind marker (hash): serialized key, failed
 *                         attempts, claiming flusher and its lease; while it exists the
 *                         entry has no TTL (an entry without TTL is pending)
 * {prefix}d:{cache@key}   sequence of the key's last dead-lettered write-behind write,
 *                         until a newer write of the key supersedes it
 * {prefix}pq:{cache}      index of the cache's pending writes (sorted set: encoded key by
 *                         due time); rebuilt from the markers by a periodic sweep
 * {prefix}dl:{cache}      dead letters of the cache's write-behind (stream)
 * {prefix}hk:{cache}      the cache's most read keys, as instances report them (sorted
 *                         set: encoded key by decayed share of reads), for warm start
 * {prefix}t:{tag}         version of a tag
 * {prefix}g:{&#64;group}      version of a versioned group
 * {prefix}e:{cache}       epoch of a cache (bumped by clear)
 * {prefix}x:{cache/shape}  existence filter of a cache (Bloom filter: a string of m bits);
 *                         its shape ({@code m<bits>k<hashes>}) is part of the name
 * {prefix}xb:{cache/shape} the filter being rebuilt, renamed over the filter when done
 * {prefix}xl:{cache/shape} lock of a rebuild: the builder's token, with a lease
 * {prefix}invalidation    pub/sub channel
 * </pre>
 *
 * One key per cached entry: the write sequence that guards loads against older values
 * lives in the entry itself, and the epoch, group and tag versions an entry was made under
 * live in its envelope rather than in its name. An entry therefore has one name whatever
 * the versions are, so a write defeats any concurrent load of the same key, whichever
 * version each instance believes current.
 *
 * <p>The part in braces is a Redis Cluster hash tag: the keys of one cache key share a
 * slot, so every script touches one slot; versions are single keys. Names inside braces are
 * {@linkplain dev.tieredcache.cache.CacheKeyEncoder encoded} and never contain a brace.
 */
public final class RedisKeyLayout {

	/** Length of the write sequence that starts every stored entry. */
	public static final int SEQUENCE_LENGTH = 17;

	/** Length of the id of the write that stored an entry, after the sequence. */
	public static final int WRITE_ID_LENGTH = 8;

	/** Where an entry's envelope starts: after its sequence and its write id. */
	public static final int ENTRY_HEADER = SEQUENCE_LENGTH + WRITE_ID_LENGTH;

	private final String prefix;

	private final byte[] channel;

	/**
	 * Creates the layout.
	 * @param prefix the key prefix, not empty and without braces
	 */
	public RedisKeyLayout(String prefix) {
		Assert.hasLength(prefix, "prefix must not be empty");
		Assert.isTrue(prefix.indexOf('{') < 0 && prefix.indexOf('}') < 0, "prefix must not contain braces");
		this.prefix = prefix;
		this.channel = bytes(prefix + "invalidation");
	}

	public String prefix() {
		return this.prefix;
	}

	/** Returns the invalidation channel. */
	public byte[] channel() {
		return this.channel;
	}

	/**
	 * Returns the slot-local part shared by the keys of one cache key.
	 * @param cache the encoded cache name
	 * @param key the encoded key
	 * @return {@code cache@key}: no encoded cache name contains {@code @}, so no two pairs
	 * of cache and key share an id
	 */
	public static String entryId(String cache, String key) {
		return cache + '@' + key;
	}

	byte[] entry(String entryId) {
		return bytes(this.prefix + "c:{" + entryId + '}');
	}

	/**
	 * Returns the key holding a value loaded in one schema of the cache while the entry
	 * holds another schema's value (see {@link RedisStore#get(String, long)}).
	 */
	byte[] variant(String entryId, long schema) {
		return bytes(this.prefix + "c:{" + entryId + "}#" + Long.toHexString(schema));
	}

	byte[] lock(String entryId) {
		return bytes(this.prefix + "l:{" + entryId + '}');
	}

	byte[] waiters(String entryId) {
		return bytes(this.prefix + "w:{" + entryId + '}');
	}

	byte[] backoff(String entryId) {
		return bytes(this.prefix + "b:{" + entryId + '}');
	}

	byte[] pending(String entryId) {
		return bytes(this.prefix + "q:{" + entryId + '}');
	}

	byte[] deadLetterRecord(String entryId) {
		return bytes(this.prefix + "d:{" + entryId + '}');
	}

	/**
	 * Returns the SCAN pattern of the pending markers of a cache.
	 * @param cache the encoded cache name
	 * @return the pattern
	 */
	String pendingPattern(String cache) {
		return this.prefix + "q:{" + cache + "@*";
	}

	byte[] pendingIndex(String cache) {
		return bytes(this.prefix + "pq:{" + cache + '}');
	}

	byte[] deadLetters(String cache) {
		return bytes(this.prefix + "dl:{" + cache + '}');
	}

	byte[] hotKeys(String cache) {
		return bytes(this.prefix + "hk:{" + cache + '}');
	}

	/**
	 * Returns the slot-local part shared by the keys of one cache's existence filter.
	 * @param cache the encoded cache name
	 * @param shape the filter's shape
	 * @return {@code cache/shape}
	 */
	public static String filterId(String cache, String shape) {
		return cache + '/' + shape;
	}

	byte[] filter(String filterId) {
		return bytes(this.prefix + "x:{" + filterId + '}');
	}

	byte[] filterBuilding(String filterId) {
		return bytes(this.prefix + "xb:{" + filterId + '}');
	}

	byte[] filterLock(String filterId) {
		return bytes(this.prefix + "xl:{" + filterId + '}');
	}

	byte[] version(VersionKind kind, String name) {
		return bytes(this.prefix + kind.code + ":{" + name + '}');
	}

	static byte[] bytes(String s) {
		return s.getBytes(StandardCharsets.UTF_8);
	}

	/** What a version belongs to. */
	public enum VersionKind {

		/** A tag. */
		TAG("t"),
		/** A versioned group. */
		GROUP("g"),
		/** A whole cache. */
		EPOCH("e");

		final String code;

		VersionKind(String code) {
			this.code = code;
		}

	}

}
