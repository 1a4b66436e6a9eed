package dev.tieredcache.writebehind;

import org.jspecify.annotations.Nullable;

import dev.tieredcache.cache.CacheEntry;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.RedisUnavailableException;
import dev.tieredcache.redis.RedisWriteBehindStore;
import dev.tieredcache.serialization.EntryCodec;
import dev.tieredcache.serialization.SerializationFailedException;

/**
 * The call side of write-behind: stores a value as its key's pending write, in Redis (one
 * script: the entry, without TTL, and its pending marker; then the index) and in this
 * instance's L1. When Redis cannot take it (unreachable, circuit open) or the value cannot
 * go to Redis at all, it says so, and the caller runs the method at once instead.
 */
public final class WriteBehindWrites {

	private final TieredCacheManager manager;

	private final @Nullable RedisWriteBehindStore store;

	private final WriteBehindStatistics statistics;

	/**
	 * Creates the call side of write-behind.
	 * @param manager the caches
	 * @param store the Redis side, or null in the L1-only mode, where every call runs its
	 * method at once (write-through) and then evicts the key
	 * @param statistics the write-behind counters
	 */
	public WriteBehindWrites(TieredCacheManager manager, @Nullable RedisWriteBehindStore store,
			WriteBehindStatistics statistics) {
		this.manager = manager;
		this.store = store;
		this.statistics = statistics;
	}

	/**
	 * Records a write as pending.
	 * @param cacheName the cache
	 * @param key the key (as the flusher will pass it back)
	 * @param value the value
	 * @return whether it is pending; false: the caller must run the method now and then
	 * {@linkplain #afterSynchronousWrite evict the key}
	 */
	public boolean write(String cacheName, Object key, @Nullable Object value) {
		if (this.store == null) {
			// L1-only mode: nothing can hold the pending write for a flusher.
			return false;
		}
		TieredCache cache = this.manager.getCache(cacheName);
		String encodedKey = cache.encodedKey(key);
		if (value != null) {
			// Pending or written at once by the caller, the key exists from now on.
			cache.keyExists(encodedKey);
		}
		try {
			TieredCache.PendingValue pending = cache.encodePending(value);
			byte[] serializedKey = (pending != null) ? serializeKey(key) : null;
			if (pending == null || serializedKey == null) {
				this.statistics.of(cacheName).fallback();
				return false;
			}
			if (this.store.write(cache.getEncodedName(), encodedKey, pending.stored(), serializedKey)) {
				this.statistics.of(cacheName).coalesced();
			}
			cache.writeLocally(encodedKey, pending.entry());
			return true;
		}
		catch (RedisUnavailableException ex) {
			this.statistics.of(cacheName).fallback();
			return false;
		}
	}

	/**
	 * After a call ran the method at once: drops whatever older value the cache holds for
	 * the key, everywhere (retried in the background if Redis does not take it; a pending
	 * value the failed script may have stored late is spared and flushed again, which
	 * idempotent flush methods allow).
	 * @param cacheName the cache
	 * @param key the key
	 */
	public void afterSynchronousWrite(String cacheName, Object key) {
		afterSynchronousWrite(cacheName, key, -1);
	}

	/**
	 * After a call ran the method at once, as {@link #afterSynchronousWrite(String, Object)}:
	 * a pending write of the key made since the call began is the later write and is kept.
	 * @param cacheName the cache
	 * @param key the key
	 * @param startedNanos when the call began, by {@link System#nanoTime()}, or -1
	 */
	public void afterSynchronousWrite(String cacheName, Object key, long startedNanos) {
		TieredCache cache = this.manager.getCache(cacheName);
		cache.evictKey(cache.encodedKey(key), startedNanos);
	}

	/**
	 * Encodes a key as the cache does.
	 * @param cacheName the cache
	 * @param key the key
	 * @return the encoded key
	 */
	public String encodedKey(String cacheName, Object key) {
		return this.manager.getCache(cacheName).encodedKey(key);
	}

	private byte @Nullable [] serializeKey(Object key) {
		EntryCodec codec = this.manager.getServices().codec();
		try {
			// The fixed layout: an instance of an earlier release may flush this write.
			return codec.encodeFixed(new CacheEntry(key, 0, 0, 0, 0, new String[0], new long[0], 0),
					codec.serializeValue(key), false, 0, EntryCodec.NO_SCHEMA);
		}
		catch (RuntimeException ex) {
			// A key class the allow-list refuses cannot come back to the flusher.
			return null;
		}
	}

	/**
	 * Reads a key serialized by {@link #write}.
	 * @param codec the codec
	 * @param serialized the bytes
	 * @return the key
	 * @throws SerializationFailedException if it cannot be read
	 */
	static @Nullable Object deserializeKey(EntryCodec codec, byte[] serialized) {
		return codec.decode(serialized, 0).get();
	}

}
