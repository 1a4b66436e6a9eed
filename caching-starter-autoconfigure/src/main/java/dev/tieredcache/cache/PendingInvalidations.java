package dev.tieredcache.cache;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tieredcache.redis.RedisKeyLayout;
import dev.tieredcache.redis.RedisUnavailableException;

/**
 * Changes that may not have reached Redis (a command that failed or timed out, whether or
 * not Redis ran it), kept to be retried until they land, so that no instance keeps serving
 * a value that a write, an eviction, a tag invalidation, a group bump or a clear should
 * have removed.
 *
 * <h2>How it works</h2>
 * Each change is recorded under its subject (a key of a cache, a cache, a tag, a group)
 * with the {@link System#nanoTime()} at which it was issued; a later failure of the same
 * subject keeps the later time. {@link #replay} retries every subject on its own (on a
 * cluster, one failing master does not hold back the others' subjects) and forgets a
 * subject only if no newer failure was recorded for it meanwhile, so a change made while a
 * replay runs is never stranded. A key is replayed as a delete that spares any change made
 * after the lost one was issued, except one that a lost write stored itself, since a write
 * whose command timed out may still run late, after newer ones
 * ({@link TieredCache#replayKeyChange}); tags, groups and clears are replayed as a bump,
 * which is always safe.
 *
 * <p>Memory is bounded per cache: past {@value #KEY_LIMIT} pending keys of one cache, they
 * collapse into one clear of that cache. Tags and groups are names shared by every cache of
 * every instance (including caches this instance never created), so they are never dropped.
 * Thread-safe; replays run one at a time.
 */
final class PendingInvalidations {

	static final int KEY_LIMIT = 10_000;

	static final int MAX_WRITE_IDS = 8;

	private static final byte[] NO_WRITE = new byte[0];

	private static final Log logger = LogFactory.getLog(PendingInvalidations.class);

	private final ConcurrentMap<TieredCache, ConcurrentMap<String, KeyChange>> keys = new ConcurrentHashMap<>();

	private final ConcurrentMap<TieredCache, Long> clears = new ConcurrentHashMap<>();

	private final ConcurrentMap<String, Long> tags = new ConcurrentHashMap<>();

	private final ConcurrentMap<String, Long> groups = new ConcurrentHashMap<>();

	private final ConcurrentMap<String, LockRelease> releases = new ConcurrentHashMap<>();

	private final ReentrantLock replaying = new ReentrantLock();

	/**
	 * Records a change of a key that may not have reached Redis.
	 * @param cache the cache
	 * @param key the encoded key
	 * @param issuedNanos when it was issued
	 * @param writeId the id of the write, or null for an eviction
	 */
	void key(TieredCache cache, String key, long issuedNanos, byte @Nullable [] writeId) {
		ConcurrentMap<String, KeyChange> pending = this.keys.computeIfAbsent(cache, (c) -> new ConcurrentHashMap<>());
		pending.merge(key, new KeyChange(issuedNanos, (writeId != null) ? writeId : NO_WRITE), KeyChange::merge);
		if (pending.size() > KEY_LIMIT) {
			// Clearing the cache removes every key at once; the keys recorded so far can go.
			clear(cache, issuedNanos);
			if (this.keys.remove(cache, pending)) {
				logger.warn("More than " + KEY_LIMIT + " changes of cache '" + cache.getName() + "' are waiting for "
						+ "Redis; the cache will be cleared when Redis takes it");
			}
		}
	}

	void clear(TieredCache cache, long issuedNanos) {
		this.clears.merge(cache, issuedNanos, Math::max);
	}

	void tag(String tag, long issuedNanos) {
		this.tags.merge(tag, issuedNanos, Math::max);
	}

	void group(String group, long issuedNanos) {
		this.groups.merge(group, issuedNanos, Math::max);
	}

	/**
	 * Records a load lock this instance may hold without knowing it (the command that asked
	 * for it failed, but Redis may have run it), to give it back once Redis answers, so that
	 * other instances do not wait out its lease. Forgotten once the lease has run out.
	 * @param cache the cache
	 * @param entryId the entry
	 * @param token the lock token
	 * @param leaseNanos the lock's lease
	 */
	void lock(TieredCache cache, String entryId, String token, long leaseNanos) {
		this.releases.put(token, new LockRelease(cache, entryId, System.nanoTime() + leaseNanos));
	}

	/** Returns how many changes wait for Redis. */
	int size() {
		int size = this.clears.size() + this.tags.size() + this.groups.size();
		for (Map<String, KeyChange> pending : this.keys.values()) {
			size += pending.size();
		}
		return size;
	}

	boolean isEmpty() {
		return size() == 0;
	}

	/**
	 * Retries every pending change once; what fails stays pending for the next replay. Does
	 * nothing if another replay is running. Changes recorded while it runs are left to the
	 * next one.
	 * @param services the shared services
	 * @return whether everything recorded before it began has landed
	 */
	boolean replay(CacheServices services) {
		if ((isEmpty() && this.releases.isEmpty()) || !this.replaying.tryLock()) {
			return isEmpty();
		}
		try {
			boolean[] landed = { true };
			long now = System.nanoTime();
			this.releases.values().removeIf((release) -> now - release.expiresAtNanos() > 0);
			replayEach(this.releases, (token, release) -> release.cache().releaseLock(release.entryId(), token), landed);
			// A replay's message carries this instance's id, which its own subscriber ignores:
			// what this instance re-read before the replay landed is dropped here.
			replayEach(this.clears, (cache, issued) -> {
				services.epochs().bump(cache.encodedName());
				cache.clearLocal();
			}, landed);
			// Emptied maps stay: removing one could strand a change recorded into it meanwhile.
			this.keys.forEach((cache, pending) -> replayEach(pending,
					(key, change) -> cache.replayKeyChange(key, change.issuedNanos(), change.writeIds()), landed));
			replayEach(this.tags, (tag, issued) -> services.tags().bump(tag), landed);
			replayEach(this.groups, (group, issued) -> services.groups().bump(group), landed);
			return landed[0];
		}
		finally {
			this.replaying.unlock();
		}
	}

	private static <T, V> void replayEach(ConcurrentMap<T, V> pending, BiConsumer<T, V> change, boolean[] landed) {
		for (Map.Entry<T, V> item : pending.entrySet()) {
			T subject = item.getKey();
			V issued = item.getValue();
			try {
				change.accept(subject, issued);
				// Only if no newer failure of the same subject was recorded meanwhile.
				pending.remove(subject, issued);
			}
			catch (RedisUnavailableException ex) {
				landed[0] = false;
				if (ex.isCircuitOpen()) {
					return;
				}
			}
		}
	}

	private record LockRelease(TieredCache cache, String entryId, long expiresAtNanos) {
	}

	/**
	 * The lost changes of one key: when the last was issued, and the ids of the lost writes
	 * (the last {@value #MAX_WRITE_IDS}), concatenated.
	 */
	private record KeyChange(long issuedNanos, byte[] writeIds) {

		KeyChange merge(KeyChange later) {
			byte[] ids = new byte[Math.min(this.writeIds.length + later.writeIds.length,
					MAX_WRITE_IDS * RedisKeyLayout.WRITE_ID_LENGTH)];
			int fromLater = Math.min(later.writeIds.length, ids.length);
			System.arraycopy(later.writeIds, 0, ids, 0, fromLater);
			System.arraycopy(this.writeIds, 0, ids, fromLater, ids.length - fromLater);
			return new KeyChange(Math.max(this.issuedNanos, later.issuedNanos), ids);
		}

	}

}
