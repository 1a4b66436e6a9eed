package dev.tieredcache.cache;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

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
 * after the lost one was issued ({@link TieredCache#replayKeyChange}); tags, groups and
 * clears are replayed as a bump, which is always safe.
 *
 * <p>Memory is bounded per cache: past {@value #KEY_LIMIT} pending keys of one cache, they
 * collapse into one clear of that cache. Tags and groups are names shared by every cache of
 * every instance (including caches this instance never created), so they are never dropped.
 * Thread-safe; replays run one at a time.
 */
final class PendingInvalidations {

	static final int KEY_LIMIT = 10_000;

	private static final Log logger = LogFactory.getLog(PendingInvalidations.class);

	private final ConcurrentMap<TieredCache, ConcurrentMap<String, Long>> keys = new ConcurrentHashMap<>();

	private final ConcurrentMap<TieredCache, Long> clears = new ConcurrentHashMap<>();

	private final ConcurrentMap<String, Long> tags = new ConcurrentHashMap<>();

	private final ConcurrentMap<String, Long> groups = new ConcurrentHashMap<>();

	private final ConcurrentMap<String, LockRelease> releases = new ConcurrentHashMap<>();

	private final ReentrantLock replaying = new ReentrantLock();

	void key(TieredCache cache, String key, long issuedNanos) {
		ConcurrentMap<String, Long> pending = this.keys.computeIfAbsent(cache, (c) -> new ConcurrentHashMap<>());
		pending.merge(key, issuedNanos, Math::max);
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
		for (Map<String, Long> pending : this.keys.values()) {
			size += pending.size();
		}
		return size;
	}

	boolean isEmpty() {
		return size() == 0;
	}

	/**
	 * Retries every pending change once; what fails stays pending for the next replay. Does
	 * nothing if another replay is running.
	 * @param services the shared services
	 */
	void replay(CacheServices services) {
		if ((isEmpty() && this.releases.isEmpty()) || !this.replaying.tryLock()) {
			return;
		}
		try {
			long now = System.nanoTime();
			this.releases.values().removeIf((release) -> now - release.expiresAtNanos() > 0);
			replayEach(this.releases, (token, release) -> release.cache().releaseLock(release.entryId(), token));
			replayEach(this.clears, (cache, issued) -> services.epochs().bump(cache.encodedName()));
			this.keys.forEach((cache, pending) -> replayEach(pending, cache::replayKeyChange));
			this.keys.values().removeIf(Map::isEmpty);
			replayEach(this.tags, (tag, issued) -> services.tags().bump(tag));
			replayEach(this.groups, (group, issued) -> services.groups().bump(group));
		}
		finally {
			this.replaying.unlock();
		}
	}

	private static <T, V> void replayEach(ConcurrentMap<T, V> pending, BiConsumer<T, V> change) {
		for (Map.Entry<T, V> item : pending.entrySet()) {
			T subject = item.getKey();
			V issued = item.getValue();
			try {
				change.accept(subject, issued);
				// Only if no newer failure of the same subject was recorded meanwhile.
				pending.remove(subject, issued);
			}
			catch (RedisUnavailableException ex) {
				if (ex.isCircuitOpen()) {
					return;
				}
			}
		}
	}

	private record LockRelease(TieredCache cache, String entryId, long expiresAtNanos) {
	}

}
