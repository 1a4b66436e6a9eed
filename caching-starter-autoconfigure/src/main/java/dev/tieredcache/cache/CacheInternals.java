package dev.tieredcache.cache;

import java.util.Arrays;

import org.jspecify.annotations.Nullable;

import dev.tieredcache.cache.CacheEntries.Versions;
import dev.tieredcache.cache.CacheStatistics.LockWaitOutcome;
import dev.tieredcache.cache.CacheStatistics.Tier;
import dev.tieredcache.redis.RedisStore;
import dev.tieredcache.redis.RedisUnavailableException;
import dev.tieredcache.redis.VersionTracker;

/**
 * The parts of one {@link TieredCache} that batch reads ({@code dev.tieredcache.batch})
 * and drift audits ({@code dev.tieredcache.audit}) build on, and nothing more: its L1 with its write stamps, the reading and building of its
 * Redis entries, the versions a load notes, its loads in flight, its counters and its
 * transaction awareness. This is the only way into the cache package's internals from
 * outside it; it is not API for applications (only a {@link TieredCache} creates one, and
 * hands it to its batch reader and its drift audit). Every method is thread-safe, as the parts it reaches.
 */
public final class CacheInternals {

	private final TieredCache cache;

	CacheInternals(TieredCache cache) {
		this.cache = cache;
	}

	/** Returns the cache. */
	public TieredCache cache() {
		return this.cache;
	}

	/** Returns the encoded cache name, as invalidation messages carry it. */
	public String encodedName() {
		return this.cache.encodedName();
	}

	/** Returns the cache's settings. */
	public CacheSettings settings() {
		return this.cache.settings();
	}

	/** Returns what the cache shares with the others of its manager. */
	public CacheServices services() {
		return this.cache.services();
	}

	/** Returns the loads of this cache under way in this JVM, shared with single reads. */
	public InFlightLoads inFlight() {
		return this.cache.inFlight();
	}

	/**
	 * Returns a current L1 entry, or null; counts an L1 hit or miss.
	 * @param key the encoded key
	 * @return the entry or null
	 */
	public @Nullable CacheEntry localHit(String key) {
		return this.cache.localHit(key);
	}

	/**
	 * Returns the L1 write stamp of a key, taken before a read or load of it.
	 * @param key the encoded key
	 * @return the stamp
	 */
	public long stamp(String key) {
		return this.cache.local().stamp(key);
	}

	/**
	 * Fills L1 with an entry read or loaded, unless the key was written or invalidated on
	 * this instance since the stamp was taken.
	 * @param key the encoded key
	 * @param entry the entry
	 * @param stamp the stamp taken before the read or load
	 */
	public void fillLocal(String key, CacheEntry entry, long stamp) {
		this.cache.local().fill(key, entry, stamp);
	}

	/**
	 * Whether the cache runs without Redis (L1-only mode).
	 * @return whether L1 is the only tier
	 */
	public boolean localOnly() {
		return this.cache.services().localOnly();
	}

	/**
	 * Returns the slot-local id of a key's Redis keys.
	 * @param key the encoded key
	 * @return the entry id
	 */
	public String entryId(String key) {
		return this.cache.entryId(key);
	}

	/**
	 * Reads what Redis holds for a key, as a single read does: unreadable, tombstoned,
	 * tag-invalidated and earlier-epoch entries are misses. Counts an L2 hit or miss.
	 * @param stored the stored bytes, or null if absent
	 * @return the entry (fresh or not), or null
	 * @throws RedisUnavailableException if the cache's epoch is unknown and Redis cannot tell
	 */
	public @Nullable CacheEntry readStored(byte @Nullable [] stored) {
		return readStored(stored, false);
	}

	/**
	 * Decodes an entry read from Redis, as {@link #readStored(byte[])}; a pending
	 * write-behind value is taken whatever the versions it was made under.
	 * @param stored the bytes Redis holds, or null
	 * @param pending whether Redis said the entry was a pending write-behind value
	 * @return the entry (fresh or not), or null
	 * @throws RedisUnavailableException if the cache's epoch is unknown and Redis cannot tell
	 */
	public @Nullable CacheEntry readStored(byte @Nullable [] stored, boolean pending) {
		CacheEntries entries = this.cache.entries();
		CacheEntry entry = (stored == null || RedisStore.isTombstone(stored)) ? null
				: pending ? entries.decodeAnySchema(stored) : entries.decode(stored);
		if (entry == null || !pending && (!entries.isCurrent(entry) || !entries.isOfCurrentEpoch(entry))) {
			this.cache.statistics().miss(Tier.L2);
			return null;
		}
		this.cache.statistics().hit(Tier.L2);
		return entry;
	}

	/**
	 * Reads what Redis holds for a key as a read of this instance's schema does (the entry,
	 * or this schema's variant beside another schema's value), without decoding it.
	 * @param entryId the entry
	 * @return the stored bytes, or null
	 * @throws RedisUnavailableException if Redis cannot be reached
	 */
	public byte @Nullable [] readStored(String entryId) {
		return this.cache.readStored(entryId);
	}

	/** Returns the schema the cache's values are written and read in, 0 for none. */
	public long schema() {
		return this.cache.schema();
	}

	/**
	 * Reads several entries as this instance's schema sees them (see
	 * {@link TieredCache#readStored}), one round trip per slot.
	 * @param batch the batch store
	 * @param entryIds the entries
	 * @return for each, the bytes to decode, or null
	 * @throws RedisUnavailableException if Redis cannot be reached
	 */
	public java.util.List<byte @Nullable []> readStored(dev.tieredcache.redis.RedisBatchStore batch,
			java.util.List<String> entryIds) {
		long schema = this.cache.schema();
		if (schema == RedisStore.NO_SCHEMA) {
			return batch.get(entryIds);
		}
		java.util.List<RedisStore.EntryAndVariant> read = batch.getWithVariants(entryIds, schema);
		java.util.List<byte @Nullable []> chosen = new java.util.ArrayList<>(read.size());
		for (RedisStore.EntryAndVariant pair : read) {
			chosen.add(this.cache.entries().inSchema(pair.entry(), pair.variant()));
		}
		return chosen;
	}

	/**
	 * Reads what Redis holds for a key as {@link #readStored} does, without counting a hit
	 * or miss: for copies into L1 that no caller asked for (warm start).
	 * @param stored the stored bytes, or null if absent
	 * @return the entry (fresh or not), or null
	 * @throws RedisUnavailableException if the cache's epoch is unknown and Redis cannot tell
	 */
	public @Nullable CacheEntry currentEntry(byte @Nullable [] stored) {
		return this.cache.currentEntry(stored);
	}

	/**
	 * Whether L1 holds an entry for a key, without counting a read.
	 * @param key the encoded key
	 * @return whether it does
	 */
	public boolean containsLocally(String key) {
		return this.cache.local().contains(key);
	}

	/**
	 * Whether an entry is a pending write-behind value, newer than the source of truth
	 * until it is flushed.
	 * @param entry the entry
	 * @return whether it is pending
	 */
	public boolean isPendingWrite(CacheEntry entry) {
		return this.cache.isPendingWrite(entry);
	}

	/**
	 * Gives up a load lock and wakes the waiters.
	 * @param entryId the entry
	 * @param token the lock token
	 * @throws RedisUnavailableException if Redis did not take it
	 */
	public void releaseLock(String entryId, String token) {
		this.cache.releaseLock(entryId, token);
	}

	/** Returns the cache's clock, epoch milliseconds. */
	public long now() {
		return this.cache.entries().now();
	}

	/**
	 * Notes the versions of a load's tags and groups and of the cache, before the loader
	 * runs.
	 * @param tags the encoded tags and groups known before the load
	 * @return the noted versions
	 * @throws RedisUnavailableException if a version is not known and Redis cannot tell it
	 */
	public NotedVersions noteVersions(String[] tags) {
		long changes = this.cache.services().tags().changes();
		return new NotedVersions(tags, this.cache.entries().versions(tags), changes);
	}

	/**
	 * Builds the entry of a loaded value, with a jittered TTL (the null TTL for null).
	 * Tags computed from the value could not have their versions noted before the load:
	 * they are taken as this instance knows them now, which is safe only if they were
	 * already known and no version was learnt or moved here during the load; otherwise the
	 * value is not cached at all.
	 * @param value the loaded value
	 * @param noted the versions noted before the load
	 * @param valueTags the encoded tags computed from the value (not groups)
	 * @param loadMillis how long the load took
	 * @return the entry, or null if the value must not be cached
	 */
	public @Nullable CacheEntry newEntry(@Nullable Object value, NotedVersions noted, String[] valueTags,
			int loadMillis) {
		CacheEntries entries = this.cache.entries();
		long ttl = entries.ttlMillisFor(value);
		if (ttl == 0) {
			return null;
		}
		if (valueTags.length == 0) {
			return entries.newEntry(value, noted.tags, noted.versions, loadMillis, ttl);
		}
		VersionTracker tracker = this.cache.services().tags();
		long[] known = new long[valueTags.length];
		for (int i = 0; i < valueTags.length; i++) {
			Long version = tracker.known(valueTags[i]);
			if (version == null) {
				// Learn it for the next load; this one cannot tell which version it read under.
				learnQuietly(tracker, valueTags[i]);
				return null;
			}
			known[i] = version;
		}
		if (tracker.changes() != noted.tagChanges) {
			return null;
		}
		String[] tags = Arrays.copyOf(noted.tags, noted.tags.length + valueTags.length);
		System.arraycopy(valueTags, 0, tags, noted.tags.length, valueTags.length);
		long[] versions = Arrays.copyOf(noted.versions.tags(), tags.length);
		System.arraycopy(known, 0, versions, noted.tags.length, known.length);
		return entries.newEntry(value, tags, new Versions(versions, noted.versions.epoch()), loadMillis, ttl);
	}

	private static void learnQuietly(VersionTracker tracker, String tag) {
		try {
			tracker.current(tag);
		}
		catch (RedisUnavailableException ex) {
			// Learnt later.
		}
	}

	/**
	 * Serializes an entry for Redis, with room for its write sequence first.
	 * @param entry the entry
	 * @return the bytes, or null if the value cannot be serialized or is too large (counted
	 * and logged)
	 */
	public byte @Nullable [] encode(CacheEntry entry) {
		return this.cache.entries().encode(entry);
	}

	/**
	 * Returns how long an entry lives in Redis.
	 * @param entry the entry
	 * @return its Redis TTL in milliseconds
	 */
	public long redisTtlMillis(CacheEntry entry) {
		return this.cache.entries().redisTtlMillis(entry);
	}

	/** Returns how long a tombstone left by a load's start lives, in milliseconds. */
	public long tombstoneTtlMillis() {
		return this.cache.entries().tombstoneTtlMillis();
	}

	/** Counts an entry stored in Redis. */
	public void countRedisPut() {
		this.cache.statistics().put(Tier.L2);
	}

	/**
	 * Counts the loads of a batch, one per key, sharing the loader call's duration.
	 * @param keys how many keys the loader was called with
	 * @param nanos how long the call took
	 * @param success whether it returned normally
	 */
	public void countLoads(int keys, long nanos, boolean success) {
		for (int i = 0; i < keys; i++) {
			this.cache.statistics().load(nanos / keys, success);
		}
	}

	/**
	 * Counts a wait on another instance's load of a key.
	 * @param nanos how long it lasted
	 * @param outcome how it ended
	 */
	public void countLockWait(long nanos, LockWaitOutcome outcome) {
		this.cache.statistics().lockWait(nanos, outcome);
	}

	/**
	 * Counts a batch read.
	 * @param keys how many distinct keys it asked for
	 */
	public void countBatch(int keys) {
		this.cache.statistics().batch(keys);
	}

	/**
	 * Whether a miss of the current thread is in a transaction (see {@link CacheTransactions}):
	 * its values are then not shared, and stored only as {@link #storesAfterCommit()} says.
	 */
	public boolean inWritingTransaction() {
		return this.cache.transactions().missPolicy() != CacheTransactions.MissPolicy.STORE;
	}

	/**
	 * Whether values loaded on a miss of the current thread are stored after its
	 * transaction commits; false when its isolation takes snapshots, whose rows may be older
	 * than the write sequences noted at the miss.
	 */
	public boolean storesAfterCommit() {
		return this.cache.transactions().missPolicy() == CacheTransactions.MissPolicy.STORE_AFTER_COMMIT;
	}

	/**
	 * Runs a change after the current transaction commits; never if it rolls back.
	 * @param change the change
	 */
	public void afterCommit(Runnable change) {
		CacheTransactions.afterCommit(change);
	}

	/**
	 * Gives a load lock back once Redis answers, when the command that asked for it failed
	 * but may have taken it all the same.
	 * @param entryId the entry
	 * @param token the lock token
	 */
	public void releaseLockLater(String entryId, String token) {
		this.cache.releaseLockLater(entryId, token);
	}

	/** Returns a new random lock token naming this instance. */
	public String newToken() {
		return ReadThrough.newToken(this.cache.services().store().instanceId());
	}

	/**
	 * Versions a load noted before its loader ran.
	 */
	public static final class NotedVersions {

		private final String[] tags;

		private final Versions versions;

		private final long tagChanges;

		NotedVersions(String[] tags, Versions versions, long tagChanges) {
			this.tags = tags;
			this.versions = versions;
			this.tagChanges = tagChanges;
		}

	}

}
