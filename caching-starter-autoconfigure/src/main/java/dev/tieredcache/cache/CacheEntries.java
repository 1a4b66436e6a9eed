package dev.tieredcache.cache;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tieredcache.redis.RateLimitedLog;
import dev.tieredcache.serialization.SerializationFailedException;

/**
 * The entries of one {@link TieredCache}: how they are built (timestamps, TTLs with
 * jitter, stale-while-revalidate window, tag versions), whether they are still current
 * against the tag versions held in memory, and how they become Redis bytes and back, with
 * the cache's size limit and its reporting of values that cannot be written or read.
 * Thread-safe.
 */
final class CacheEntries {

	private static final Log logger = LogFactory.getLog(TieredCache.class);

	private final String name;

	private final CacheSettings settings;

	private final CacheServices services;

	private final CacheStatistics statistics;

	private final AtomicBoolean unreadableLogged = new AtomicBoolean();

	private final RateLimitedLog warnings;

	CacheEntries(String name, CacheSettings settings, CacheServices services, CacheStatistics statistics,
			RateLimitedLog warnings) {
		this.name = name;
		this.settings = settings;
		this.services = services;
		this.statistics = statistics;
		this.warnings = warnings;
	}

	/**
	 * Reads an envelope from Redis.
	 * @return the entry, or null (counted and logged) if it cannot be read
	 */
	@Nullable CacheEntry decode(byte[] bytes) {
		try {
			return this.services.codec().decode(bytes);
		}
		catch (SerializationFailedException ex) {
			this.statistics.unreadable();
			if (this.unreadableLogged.compareAndSet(false, true)) {
				logger.warn("Cache '" + this.name + "' found a value in Redis it cannot read (" + ex.getMessage()
						+ "); it is treated as a miss and replaced by the next load. Further cases are logged at DEBUG.");
			}
			else if (logger.isDebugEnabled()) {
				logger.debug("Cache '" + this.name + "' cannot read a value in Redis: " + ex.getMessage());
			}
			return null;
		}
	}

	/** Whether none of the entry's tags was invalidated since the entry's load began. */
	boolean isCurrent(CacheEntry entry) {
		String[] tags = entry.tags();
		if (tags.length == 0) {
			return true;
		}
		long[] versions = entry.tagVersions();
		for (int i = 0; i < tags.length; i++) {
			if (this.services.tags().current(tags[i]) > versions[i]) {
				return false;
			}
		}
		return true;
	}

	/** Returns the current versions of tags, as a load records them before it starts. */
	long[] tagVersions(String[] tags) {
		if (tags.length == 0) {
			return CacheEntry.NO_VERSIONS;
		}
		long[] versions = new long[tags.length];
		for (int i = 0; i < tags.length; i++) {
			versions[i] = this.services.tags().current(tags[i]);
		}
		return versions;
	}

	long now() {
		return this.services.clock().getAsLong();
	}

	/**
	 * Builds an entry for a value about to be stored.
	 * @param value the value
	 * @param tags its tags
	 * @param tagVersions their versions when the value was read from the source
	 * @param loadMillis how long loading it took
	 * @param ttlMillis its jittered TTL
	 * @return the entry
	 */
	CacheEntry newEntry(@Nullable Object value, String[] tags, long[] tagVersions, int loadMillis, long ttlMillis) {
		long now = now();
		long expiresAt = now + ttlMillis;
		return new CacheEntry(value, now, expiresAt, expiresAt + this.settings.staleWhileRevalidate().toMillis(),
				loadMillis, tags, tagVersions);
	}

	/** Returns a jittered TTL for a value, or 0 if the value must not be cached. */
	long ttlMillisFor(@Nullable Object value) {
		Duration base = this.settings.baseTtl(value == null);
		return (base.isZero() || base.isNegative()) ? 0 : this.settings.jitteredMillis(base);
	}

	/** Returns how long a stored entry physically lives in Redis. */
	long redisTtlMillis(CacheEntry entry) {
		return Math.max(1, entry.staleUntil() - entry.writtenAt());
	}

	/** Returns how long a key's write sequence lives: past its value and any load lease. */
	long sequenceTtlMillis(long valueTtlMillis) {
		return valueTtlMillis + this.settings.lease().toMillis() + 1000;
	}

	/**
	 * Serializes an entry for Redis.
	 * @return the envelope, or null if the value cannot be serialized or is too large
	 */
	byte @Nullable [] encode(CacheEntry entry) {
		try {
			byte[] payload = this.services.codec().serializeValue(entry.get());
			if (payload.length > this.settings.maxValueSize()) {
				this.statistics.oversized();
				this.warnings.warn("oversized", () -> "Cache '" + this.name + "' keeps a value of " + payload.length
						+ " bytes out of Redis (max-value-size is " + this.settings.maxValueSize() + ")");
				return null;
			}
			return this.services.codec().encode(entry, payload);
		}
		catch (SerializationFailedException ex) {
			this.warnings.warn("serialization", () -> "Cache '" + this.name + "' cannot serialize a value ("
					+ ex.getMessage() + "); it is kept out of Redis, the caller still gets it");
			return null;
		}
	}

}
