package dev.tieredcache.cache;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import org.jspecify.annotations.Nullable;

import dev.tieredcache.cache.CacheStatistics.EvictionCause;
import dev.tieredcache.cache.CacheStatistics.Tier;

/**
 * The in-process tier (L1) of one cache: a bounded Caffeine cache of {@link CacheEntry}s
 * whose every entry expires after the local TTL (shortened by a random part of the jitter,
 * never lengthened) or when its Redis copy stops being fresh, whichever comes first.
 *
 * <p>It also keeps <em>write stamps</em>: counters, striped by key, that every write,
 * eviction and invalidation on this instance advances. A load notes the stamp of its key
 * before it starts and fills L1 only if the stamp is unchanged afterwards, so a load that
 * raced a write never leaves its older value in L1. When disabled, nothing is stored and
 * every lookup misses.
 */
final class LocalTier {

	private static final int STRIPES = 64;

	private final @Nullable Cache<String, CacheEntry> cache;

	private final CacheStatistics statistics;

	private final AtomicLongArray stamps = new AtomicLongArray(STRIPES);

	private final AtomicLong generation = new AtomicLong();

	LocalTier(CacheSettings settings, CacheStatistics statistics, LongSupplier clock) {
		this.statistics = statistics;
		this.cache = settings.localEnabled() ? Caffeine.newBuilder()
			.maximumSize(settings.localMaximumSize())
			.expireAfter(new EntryExpiry(settings, clock))
			.evictionListener((String key, CacheEntry entry, RemovalCause cause) -> statistics.eviction(Tier.L1,
					(cause == RemovalCause.SIZE) ? EvictionCause.SIZE : EvictionCause.EXPIRED))
			.executor(Runnable::run)
			.build() : null;
	}

	boolean isEnabled() {
		return this.cache != null;
	}

	@Nullable CacheEntry get(String key) {
		if (this.cache == null) {
			return null;
		}
		CacheEntry entry = this.cache.getIfPresent(key);
		if (entry != null) {
			this.statistics.hit(Tier.L1);
		}
		else {
			this.statistics.miss(Tier.L1);
		}
		return entry;
	}

	/** Whether L1 holds the key, without counting a lookup. */
	boolean contains(String key) {
		return this.cache != null && this.cache.getIfPresent(key) != null;
	}

	/** Returns the write stamp of a key, to be compared after a load. */
	long stamp(String key) {
		return this.stamps.get(stripe(key)) + this.generation.get();
	}

	/**
	 * Stores a loaded entry unless a write to its key happened since the stamp was taken.
	 */
	void fill(String key, CacheEntry entry, long stamp) {
		if (this.cache == null || stamp(key) != stamp) {
			return;
		}
		this.cache.put(key, entry);
		this.statistics.put(Tier.L1);
		if (stamp(key) != stamp) {
			// A write slipped in between the check and the put: drop what may be older.
			this.cache.invalidate(key);
		}
	}

	/** Stores an entry written by the application on this instance. */
	void write(String key, CacheEntry entry) {
		this.stamps.incrementAndGet(stripe(key));
		if (this.cache != null) {
			this.cache.put(key, entry);
			this.statistics.put(Tier.L1);
		}
	}

	/**
	 * Drops a key.
	 * @param cause why: explicit on this instance, or remote
	 */
	void invalidate(String key, EvictionCause cause) {
		this.stamps.incrementAndGet(stripe(key));
		if (this.cache != null && this.cache.asMap().remove(key) != null) {
			this.statistics.eviction(Tier.L1, cause);
		}
	}

	/** Drops every entry. */
	void invalidateAll() {
		this.generation.incrementAndGet();
		if (this.cache != null) {
			this.cache.invalidateAll();
		}
	}

	long size() {
		return (this.cache != null) ? this.cache.estimatedSize() : 0;
	}

	@Nullable Cache<String, CacheEntry> nativeCache() {
		return this.cache;
	}

	private static int stripe(String key) {
		int h = key.hashCode();
		return (h ^ (h >>> 16)) & (STRIPES - 1);
	}

	/** Local TTL shortened by jitter, capped by the entry's own freshness. */
	private static final class EntryExpiry implements Expiry<String, CacheEntry> {

		private final long localTtlMillis;

		private final double jitter;

		private final LongSupplier clock;

		EntryExpiry(CacheSettings settings, LongSupplier clock) {
			this.localTtlMillis = Math.max(1, settings.localTtl().toMillis());
			this.jitter = settings.jitter();
			this.clock = clock;
		}

		@Override
		public long expireAfterCreate(String key, CacheEntry entry, long currentTime) {
			long ttl = this.localTtlMillis;
			if (this.jitter > 0) {
				// Shortened, never stretched: local.ttl is the documented bound of L1's life.
				ttl -= (long) (ttl * this.jitter * ThreadLocalRandom.current().nextDouble());
			}
			long untilStale = entry.expiresAt() - this.clock.getAsLong();
			return TimeUnit.MILLISECONDS.toNanos(Math.max(0, Math.min(ttl, untilStale)));
		}

		@Override
		public long expireAfterUpdate(String key, CacheEntry entry, long currentTime, long currentDuration) {
			return expireAfterCreate(key, entry, currentTime);
		}

		@Override
		public long expireAfterRead(String key, CacheEntry entry, long currentTime, long currentDuration) {
			return currentDuration;
		}

	}


}
