package dev.tieredcache.cache;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tieredcache.redis.RateLimitedLog;
import dev.tieredcache.redis.RedisKeyLayout;
import dev.tieredcache.redis.RedisUnavailableException;
import dev.tieredcache.redis.VersionTracker;
import dev.tieredcache.serialization.DisallowedClassException;
import dev.tieredcache.serialization.EntryCodec;
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

	private final String encodedName;

	private final CacheSettings settings;

	private final CacheServices services;

	private final CacheStatistics statistics;

	private final AtomicBoolean unreadableLogged = new AtomicBoolean();

	private final RateLimitedLog warnings;

	/** The schema this instance writes and reads the cache's values in. */
	private volatile long schema = EntryCodec.NO_SCHEMA;

	CacheEntries(String name, CacheSettings settings, CacheServices services, CacheStatistics statistics,
			RateLimitedLog warnings) {
		this.name = name;
		this.encodedName = CacheKeyEncoder.encode(name);
		this.settings = settings;
		this.services = services;
		this.statistics = statistics;
		this.warnings = warnings;
	}

	/** Returns the schema id this instance writes and reads the cache's values in. */
	long schema() {
		return this.schema;
	}

	/** Sets the schema id this instance writes and reads the cache's values in. */
	void useSchema(long schema) {
		this.schema = schema;
	}

	/**
	 * Chooses what this instance's schema is served from an entry and its variant: the entry
	 * when it holds this schema's value (or no value), otherwise the variant if it was loaded
	 * since the entry's last change (same write sequence), otherwise the entry (then found
	 * written in another schema: a miss).
	 * @param entry the entry's bytes, or null
	 * @param variant the variant's bytes, or null
	 * @return the bytes to decode
	 */
	byte @Nullable [] inSchema(byte @Nullable [] entry, byte @Nullable [] variant) {
		if (entry == null || variant == null || entry.length <= RedisKeyLayout.ENTRY_HEADER
				|| EntryCodec.schemaOf(entry, RedisKeyLayout.ENTRY_HEADER) == this.schema) {
			return entry;
		}
		return Arrays.equals(entry, 0, RedisKeyLayout.SEQUENCE_LENGTH, variant, 0, RedisKeyLayout.SEQUENCE_LENGTH)
				? variant : entry;
	}

	/**
	 * Reads an entry stored in Redis.
	 * @param stored the stored bytes: the write sequence, then the envelope
	 * @return the entry, or null (counted and logged) if it cannot be read
	 */
	@Nullable CacheEntry decode(byte[] stored) {
		long found = EntryCodec.schemaOf(stored, RedisKeyLayout.ENTRY_HEADER);
		if (found != this.schema) {
			if (found != -1) {
				// Written by another version of the application: expected during a rolling
				// deploy, so neither read nor reported beyond a count.
				this.statistics.otherSchema();
				return null;
			}
		}
		return decodeAnySchema(stored);
	}

	/**
	 * Reads an entry stored in Redis whatever schema it was written in: a pending
	 * write-behind value must reach the database whichever version wrote it.
	 * @param stored the stored bytes: the write sequence, then the envelope
	 * @return the entry, or null (counted and logged) if it cannot be read
	 */
	@Nullable CacheEntry decodeAnySchema(byte[] stored) {
		try {
			return this.services.codec().decode(stored, RedisKeyLayout.ENTRY_HEADER);
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

	/**
	 * Whether none of the entry's tags and groups was invalidated since the entry's load
	 * began. A version that cannot be known (Redis unreachable) makes the entry a miss.
	 */
	boolean isCurrent(CacheEntry entry) {
		String[] tags = entry.tags();
		if (tags.length == 0) {
			return true;
		}
		long[] versions = entry.tagVersions();
		try {
			for (int i = 0; i < tags.length; i++) {
				if (tracker(tags[i]).current(tags[i]) > versions[i]) {
					return false;
				}
			}
			return true;
		}
		catch (RedisUnavailableException ex) {
			return false;
		}
	}

	/**
	 * The same check for an entry held in L1, where a version that cannot be read is the
	 * provisional one this instance recorded in its L1-only entries while Redis was away
	 * ({@link VersionTracker#currentOrProvisional}); L1 is emptied when Redis answers again.
	 */
	boolean isCurrentLocally(CacheEntry entry) {
		String[] tags = entry.tags();
		long[] versions = entry.tagVersions();
		for (int i = 0; i < tags.length; i++) {
			if (tracker(tags[i]).currentOrProvisional(tags[i]) > versions[i]) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Whether an entry read from Redis was made in the cache's current epoch (or a later one
	 * this instance has not heard of yet); L1 needs no such check, since it is emptied
	 * whenever the epoch moves on.
	 * @throws RedisUnavailableException if the epoch is not known and Redis cannot tell it
	 */
	boolean isOfCurrentEpoch(CacheEntry entry) {
		return entry.epoch() >= this.services.epochs().current(this.encodedName);
	}

	/**
	 * Returns the current versions of tags and groups and the cache's epoch, as a load
	 * records them before it starts and a write when it stores.
	 * @param tags the encoded tags and groups
	 * @throws RedisUnavailableException if a version is not known and Redis cannot tell it
	 */
	Versions versions(String[] tags) {
		return new Versions(tagVersions(tags), this.services.epochs().current(this.encodedName));
	}

	/**
	 * Returns the versions to record in an entry kept in L1 only, made while Redis cannot be
	 * reached: known ones, or provisional ones for what cannot be read.
	 * @param tags the encoded tags and groups
	 */
	Versions localVersions(String[] tags) {
		long[] versions = new long[tags.length];
		for (int i = 0; i < tags.length; i++) {
			versions[i] = tracker(tags[i]).currentOrProvisional(tags[i]);
		}
		return new Versions(versions, this.services.epochs().currentOrProvisional(this.encodedName));
	}

	private long[] tagVersions(String[] tags) {
		if (tags.length == 0) {
			return CacheEntry.NO_VERSIONS;
		}
		long[] versions = new long[tags.length];
		for (int i = 0; i < tags.length; i++) {
			versions[i] = tracker(tags[i]).current(tags[i]);
		}
		return versions;
	}

	/** Groups are tags whose encoded name starts with {@code @}, which no encoded tag does. */
	private VersionTracker tracker(String tag) {
		return (!tag.isEmpty() && tag.charAt(0) == '@') ? this.services.groups() : this.services.tags();
	}

	long now() {
		return this.services.clock().getAsLong();
	}

	/**
	 * Builds an entry for a value about to be stored.
	 * @param value the value
	 * @param tags its tags
	 * @param versions the versions of its tags and of the cache when the value was read
	 * from the source
	 * @param loadMillis how long loading it took
	 * @param ttlMillis its jittered TTL
	 * @return the entry
	 */
	CacheEntry newEntry(@Nullable Object value, String[] tags, Versions versions, int loadMillis, long ttlMillis) {
		long now = now();
		long expiresAt = now + ttlMillis;
		return new CacheEntry(value, now, expiresAt, expiresAt + this.settings.staleWhileRevalidate().toMillis(),
				loadMillis, tags, versions.tags(), versions.epoch());
	}

	/** Returns a jittered TTL for a value, or 0 if the value must not be cached. */
	long ttlMillisFor(@Nullable Object value) {
		Duration base = this.settings.baseTtl(value == null);
		return (base.isZero() || base.isNegative()) ? 0 : this.settings.jitteredMillis(base);
	}

	/** Returns how long a stored entry physically lives in Redis. */
	long redisTtlMillis(CacheEntry entry) {
		long keptUntil = Math.max(entry.staleUntil(), entry.expiresAt() + this.settings.staleIfError().toMillis());
		return Math.max(1, keptUntil - entry.writtenAt());
	}

	/**
	 * Whether an expired entry may be served in place of a loader's failure.
	 * @param entry a current entry (no write or invalidation since it was stored)
	 * @return whether it expired no longer than {@code stale-if-error} ago
	 */
	boolean isServableOnError(CacheEntry entry) {
		return now() < entry.expiresAt() + this.settings.staleIfError().toMillis();
	}

	/**
	 * Returns how long a tombstone lives: past the lease of any load it must defeat (a load
	 * that finds neither value nor tombstone stores nothing).
	 */
	long tombstoneTtlMillis() {
		return this.settings.lease().toMillis() + 1000;
	}

	/**
	 * Serializes an entry for Redis, after room for its write sequence and write id.
	 * @return the bytes to store, or null if the value cannot be serialized or is too large
	 */
	byte @Nullable [] encode(CacheEntry entry) {
		return encode(entry, true);
	}

	/**
	 * Serializes a pending write-behind value for Redis in the fixed layout of earlier
	 * releases, which any instance may have to flush during a rolling upgrade.
	 * @return the bytes to store, or null if the value cannot be serialized or is too large
	 */
	byte @Nullable [] encodePending(CacheEntry entry) {
		return encode(entry, false);
	}

	private byte @Nullable [] encode(CacheEntry entry, boolean compact) {
		try {
			EntryCodec codec = this.services.codec();
			byte[] serialized = codec.serializeValue(entry.get());
			byte[] compressed = this.settings.compresses(serialized.length) ? codec.compress(serialized) : null;
			byte[] payload = (compressed != null) ? compressed : serialized;
			if (payload.length > this.settings.maxValueSize()) {
				this.statistics.oversized();
				this.warnings.warn("oversized", () -> "Cache '" + this.name + "' keeps a value of " + payload.length
						+ " bytes out of Redis (max-value-size is " + this.settings.maxValueSize() + ")");
				return null;
			}
			return compact ? codec.encode(entry, payload, compressed != null, RedisKeyLayout.ENTRY_HEADER, this.schema)
					: codec.encodeFixed(entry, payload, compressed != null, RedisKeyLayout.ENTRY_HEADER, this.schema);
		}
		catch (DisallowedClassException ex) {
			this.statistics.disallowed();
			if (ex.isFirstForItsClass()) {
				logger.warn("Cache '" + this.name + "': " + ex.getMessage() + ". Such values stay in L1 only.");
			}
			return null;
		}
		catch (SerializationFailedException ex) {
			this.warnings.warn("serialization", () -> "Cache '" + this.name + "' cannot serialize a value ("
					+ ex.getMessage() + "); it is kept out of Redis, the caller still gets it");
			return null;
		}
	}

	/**
	 * The versions an entry is made under, noted before its value is read from the source.
	 *
	 * @param tags the version of each tag and group
	 * @param epoch the cache's epoch
	 */
	record Versions(long[] tags, long epoch) {
	}

}
