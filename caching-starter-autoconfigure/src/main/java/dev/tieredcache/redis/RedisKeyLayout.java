package dev.tieredcache.redis;

import java.nio.charset.StandardCharsets;

import org.springframework.util.Assert;

/**
 * Names of every Redis key and channel the starter uses, all under one prefix.
 *
 * <pre>
 * {prefix}v:{cache@epoch:key}   value (envelope)
 * {prefix}s:{cache@epoch:key}   write sequence of the key (stale-set protection)
 * {prefix}l:{cache@epoch:key}   load lock
 * {prefix}w:{cache@epoch:key}   flag: someone waits for the load
 * {prefix}t:{tag}               version of a tag
 * {prefix}g:{group}             version of a versioned group
 * {prefix}e:{cache}             epoch of a cache (bumped by clear)
 * {prefix}invalidation          pub/sub channel
 * </pre>
 *
 * The part in braces is a Redis Cluster hash tag: the four keys of one cache key share a
 * slot, so every script touches one slot; versions are single keys. Names inside braces are
 * {@linkplain dev.tieredcache.cache.CacheKeyEncoder encoded} and never contain a brace.
 */
public final class RedisKeyLayout {

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
	 * @param epoch the cache's epoch
	 * @param key the encoded key
	 * @return {@code cache@epoch:key}
	 */
	public static String entryId(String cache, long epoch, String key) {
		return cache + '@' + epoch + ':' + key;
	}

	byte[] value(String entryId) {
		return bytes(this.prefix + "v:{" + entryId + '}');
	}

	byte[] sequence(String entryId) {
		return bytes(this.prefix + "s:{" + entryId + '}');
	}

	byte[] lock(String entryId) {
		return bytes(this.prefix + "l:{" + entryId + '}');
	}

	byte[] waiters(String entryId) {
		return bytes(this.prefix + "w:{" + entryId + '}');
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
