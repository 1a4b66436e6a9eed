package dev.tieredcache.cache;

import java.time.Duration;
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
 * whose every entry expires after the local TTL or when its Redis copy stops being fresh,
 * whichever comes first.
 *
 * <p>In front of Redis, Caffeine drops every entry {@code local.ttl} after it was stored (a
 * fixed expiry, the cheapest Caffeine has: a variable expiry reorders a timer wheel on
 * every read, which doubled the cost of a hit). An entry whose freshness ends sooner is
 * stored as a copy marked for a check: L1 compares its {@code expiresAt} with the clock
 * before serving it. Entries just loaded or written live {@code ttl} in Redis, longer than
 * {@code local.ttl} by default, so a hit on them reads no clock at all. The jitter is not
 * applied to {@code local.ttl} there: it stretches the Redis TTL, which caps L1 as above,
 * and an L1 expiry sends a read to Redis, not to the database.
 *
 * <p>Without Redis (local-only mode) every L1 expiry is a load from the database, so
 * entries written together must not expire together: each entry gets its own expiry,
 * {@code local.ttl} shortened by a random part of the jitter and capped by its freshness.
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

	private final long ttlMillis;

	private final LongSupplier clock;

	/** Whether each entry has its own expiry (local-only mode) rather than the fixed one. */
	private final boolean perEntryExpiry;

	/**
	 * Creates the tier.
	 * @param settings the cache's settings
	 * @param statistics where lookups, puts and evictions are counted
	 * @param clock epoch milliseconds, the clock of every entry's {@code expiresAt}
	 * @param alone whether L1 is the only tier (no Redis behind it)
	 */
	LocalTier(CacheSettings settings, CacheStatistics statistics, LongSupplier clock, boolean alone) {
		this.statistics = statistics;
		this.clock = clock;
		this.ttlMillis = Math.max(1, settings.localTtl().toMillis());
		this.perEntryExpiry = alone;
		if (!settings.localEnabled()) {
			this.cache = null;
			return;
		}
		Caffeine<String, CacheEntry> builder = Caffeine.newBuilder()
			.maximumSize(settings.localMaximumSize())
			.evictionListener((String key, CacheEntry entry, RemovalCause cause) -> statistics.eviction(Tier.L1,
					(cause == RemovalCause.SIZE && !expired(entry)) ? EvictionCause.SIZE : EvictionCause.EXPIRED))
			.executor(Runnable::run);
		this.cache = (alone ? builder.expireAfter(new EntryExpiry(settings, clock))
				: builder.expireAfterWrite(Duration.ofMillis(this.ttlMillis))).build();
	}

	boolean isEnabled() {
		return this.cache != null;
	}

	@Nullable CacheEntry get(String key) {
		if (this.cache == null) {
			return null;
		}
		CacheEntry entry = fresh(this.cache, key);
		if (entry != null) {
			this.statistics.hit(Tier.L1);
		}
		else {
			this.statistics.miss(Tier.L1);
		}
		return entry;
	}

	/** Whether L1 holds the key fresh, without counting a lookup. */
	boolean contains(String key) {
		return this.cache != null && fresh(this.cache, key) != null;
	}

	/** Returns a key's entry unless its freshness ended, which drops it (counted as expired). */
	private @Nullable CacheEntry fresh(Cache<String, CacheEntry> cache, String key) {
		CacheEntry entry = cache.getIfPresent(key);
		if (entry == null || !expired(entry)) {
			return entry;
		}
		if (cache.asMap().remove(key, entry)) {
			this.statistics.eviction(Tier.L1, EvictionCause.EXPIRED);
		}
		return null;
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
		store(key, entry);
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
			store(key, entry);
			this.statistics.put(Tier.L1);
		}
	}

	/**
	 * Drops a key.
	 * @param cause why: explicit on this instance, or remote
	 */
	void invalidate(String key, EvictionCause cause) {
		this.stamps.incrementAndGet(stripe(key));
		CacheEntry removed = (this.cache != null) ? this.cache.asMap().remove(key) : null;
		if (removed != null) {
			this.statistics.eviction(Tier.L1, expired(removed) ? EvictionCause.EXPIRED : cause);
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

	/**
	 * Stores an entry, marked for a check against the clock when its freshness ends before
	 * Caffeine's fixed expiry would drop it. Caffeine starts that expiry when it stores the
	 * entry, after the first look at the clock: a thread paused in between would leave an
	 * unmarked entry in place past its freshness, so the clock is read again once it is
	 * stored.
	 */
	private void store(String key, CacheEntry entry) {
		if (this.perEntryExpiry) {
			this.cache.put(key, entry);
			return;
		}
		CacheEntry stored = closeToStale(entry) ? entry.withLocalCheck() : entry;
		this.cache.put(key, stored);
		if (stored == entry && closeToStale(entry)) {
			this.cache.asMap().replace(key, entry, entry.withLocalCheck());
		}
	}

	private boolean closeToStale(CacheEntry entry) {
		return entry.expiresAt() - this.clock.getAsLong() < this.ttlMillis;
	}

	/** Whether a marked entry's freshness has ended (unmarked ones expire with Caffeine's clock). */
	private boolean expired(CacheEntry entry) {
		return entry.isCheckedLocally() && !entry.isFresh(this.clock.getAsLong());
	}

	/** Local-only mode: local TTL shortened by jitter, capped by the entry's own freshness. */
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
