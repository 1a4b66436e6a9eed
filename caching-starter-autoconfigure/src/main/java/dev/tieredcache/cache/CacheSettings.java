package dev.tieredcache.cache;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

import dev.tieredcache.existence.BloomSizing;
import dev.tieredcache.existence.ExistenceFilter;
import dev.tieredcache.audit.AuditSettings;

/**
 * Effective, immutable settings of one {@link TieredCache}. Built from configuration by
 * the auto-configuration; {@link #DEFAULTS} holds the built-in values.
 *
 * @param ttl time to live of an entry in Redis (L2)
 * @param jitter random stretch of every TTL, a fraction between 0 and 1
 * @param nullTtl how long a null is cached; zero caches no nulls
 * @param staleWhileRevalidate how long an expired entry is still served while it is
 * refreshed; zero disables it
 * @param maxValueSize largest serialized value stored in Redis, in bytes
 * @param localEnabled whether the in-process tier (L1) is used
 * @param localTtl time to live of an entry in L1
 * @param localMaximumSize maximum number of entries in L1
 * @param stampedeEnabled whether misses are coordinated across instances by a Redis lock
 * @param lease lease of the loader's Redis lock
 * @param waitTimeout longest wait for another instance's load
 * @param earlyRefreshBeta XFetch beta; zero disables early refresh
 * @param compressionThreshold smallest serialized value compressed before it is stored in
 * Redis, in bytes; {@link #NO_COMPRESSION} never compresses
 * @param staleIfError how long past its TTL an entry is served when its loader fails;
 * zero disables stale-if-error
 * @param staleIfErrorBackoff after a failed load served stale, how long no instance tries
 * the loader of that key again; doubled after each further failure
 * @param hotKeysTop how many of the most read keys are tracked ({@link HotKeys}); zero
 * tracks none
 * @param hotKeysSampleRate one read in this many is counted by hot-key tracking
 * @param hotKeysTracked how many of the most read keys hot-key tracking can rank, at least
 * {@code hotKeysTop}: more when warm start records them
 * @param existenceFilter the size of the cache's existence filter, or null when it has none
 * ({@link ExistenceFilter})
 * @param audit the drift audit ({@link dev.tieredcache.audit.DriftAudit}); {@link AuditSettings#OFF} for none
 */
public record CacheSettings(Duration ttl, double jitter, Duration nullTtl, Duration staleWhileRevalidate,
		long maxValueSize, boolean localEnabled, Duration localTtl, long localMaximumSize,
		boolean stampedeEnabled, Duration lease, Duration waitTimeout, double earlyRefreshBeta,
		long compressionThreshold, Duration staleIfError, Duration staleIfErrorBackoff, int hotKeysTop,
		int hotKeysSampleRate, int hotKeysTracked, @Nullable BloomSizing existenceFilter, AuditSettings audit) {

	/** A {@link #compressionThreshold()} that no value reaches. */
	public static final long NO_COMPRESSION = Long.MAX_VALUE;

	/** The built-in defaults, used for whatever the configuration leaves out. */
	public static final CacheSettings DEFAULTS = new CacheSettings(Duration.ofMinutes(10), 0.1,
			Duration.ofSeconds(30), Duration.ZERO, 1024 * 1024, true, Duration.ofMinutes(1), 10_000, true,
			Duration.ofSeconds(10), Duration.ofSeconds(5), 0.0, NO_COMPRESSION, Duration.ZERO, Duration.ofSeconds(1),
			10, 16, 10, null, AuditSettings.OFF);

	public CacheSettings {
		Assert.notNull(ttl, "ttl must not be null");
		Assert.notNull(nullTtl, "nullTtl must not be null");
		Assert.notNull(staleWhileRevalidate, "staleWhileRevalidate must not be null");
		Assert.notNull(localTtl, "localTtl must not be null");
		Assert.notNull(lease, "lease must not be null");
		Assert.notNull(waitTimeout, "waitTimeout must not be null");
		Assert.notNull(staleIfError, "staleIfError must not be null");
		Assert.notNull(staleIfErrorBackoff, "staleIfErrorBackoff must not be null");
		Assert.isTrue(hotKeysTop >= 0, "hotKeysTop must not be negative");
		Assert.isTrue(hotKeysSampleRate > 0, "hotKeysSampleRate must be positive");
		Assert.isTrue(hotKeysTracked >= hotKeysTop, "hotKeysTracked must be at least hotKeysTop");
		Assert.notNull(audit, "audit must not be null");
	}

	/**
	 * Settings without an existence filter or a drift audit, whose hot-key tracking ranks
	 * {@code hotKeysTop} keys.
	 */
	public CacheSettings(Duration ttl, double jitter, Duration nullTtl, Duration staleWhileRevalidate,
			long maxValueSize, boolean localEnabled, Duration localTtl, long localMaximumSize,
			boolean stampedeEnabled, Duration lease, Duration waitTimeout, double earlyRefreshBeta,
			long compressionThreshold, Duration staleIfError, Duration staleIfErrorBackoff, int hotKeysTop,
			int hotKeysSampleRate) {
		this(ttl, jitter, nullTtl, staleWhileRevalidate, maxValueSize, localEnabled, localTtl, localMaximumSize,
				stampedeEnabled, lease, waitTimeout, earlyRefreshBeta, compressionThreshold, staleIfError,
				staleIfErrorBackoff, hotKeysTop, hotKeysSampleRate, hotKeysTop, null, AuditSettings.OFF);
	}

	/**
	 * Returns whether a serialized value of the given size is compressed before it is
	 * stored in Redis.
	 * @param size the serialized value's size in bytes
	 * @return whether to compress it
	 */
	public boolean compresses(int size) {
		return size >= this.compressionThreshold;
	}

	/**
	 * Returns the TTL stretched by a random part of {@link #jitter()}.
	 * @param base the TTL to stretch
	 * @return the jittered TTL in milliseconds, at least 1
	 */
	public long jitteredMillis(Duration base) {
		long millis = Math.max(1, base.toMillis());
		if (this.jitter <= 0) {
			return millis;
		}
		return millis + (long) (millis * this.jitter * ThreadLocalRandom.current().nextDouble());
	}

	/**
	 * Returns the TTL an entry gets in L2, before jitter: {@link #nullTtl()} for nulls,
	 * {@link #ttl()} otherwise.
	 * @param nullValue whether the value is null
	 * @return the base TTL
	 */
	public Duration baseTtl(boolean nullValue) {
		return nullValue ? this.nullTtl : this.ttl;
	}

}
