package dev.tieredcache.redis;

import java.time.Duration;
import java.util.concurrent.Executor;

import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;

import org.jspecify.annotations.Nullable;

import dev.tieredcache.redis.RedisKeyLayout.VersionKind;

/**
 * Holds the current versions of one kind (tags, groups or cache epochs) in memory, so that
 * checking an entry against them costs no Redis round trip.
 *
 * <p>A version is read from Redis the first time it is needed, kept fresh by the
 * invalidation messages of other instances ({@link #advance}) and re-read in the background
 * every refresh interval as a safety net for a lost message (which also keeps the version
 * key alive in Redis while it is in use). Versions only move forward. While Redis is
 * unreachable a known version keeps its last value, and an unknown one cannot be read:
 * {@link #current} throws, and the caller treats the Redis tier as unavailable for that
 * call rather than guess a version that no clear, bump or write would reach.
 * {@link #reset()} forgets them all when Redis or the subscription comes back.
 */
public final class VersionTracker {

	private final VersionSource store;

	private final VersionKind kind;

	private final LoadingCache<String, Long> versions;

	private final java.util.Map<String, Long> provisional = new java.util.concurrent.ConcurrentHashMap<>();

	/** Counts every version learnt or moved here; see {@link #changes()}. */
	private final java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();

	/**
	 * Creates a tracker.
	 * @param store reads and bumps the versions: Redis, or this JVM in the L1-only mode
	 * @param kind the kind of version tracked
	 * @param refreshInterval how often a version in use is re-read in the background
	 * @param executor runs the background re-reads
	 */
	public VersionTracker(VersionSource store, VersionKind kind, Duration refreshInterval, Executor executor) {
		this.store = store;
		this.kind = kind;
		this.versions = Caffeine.newBuilder()
			.maximumSize(100_000)
			.expireAfterAccess(Duration.ofHours(1))
			.refreshAfterWrite(refreshInterval)
			.executor(executor)
			.build(new CacheLoader<>() {

				@Override
				public Long load(String name) {
					VersionTracker.this.changes.incrementAndGet();
					return store.readVersion(kind, name);
				}

				@Override
				public Long reload(String name, Long current) {
					try {
						long read = store.readVersion(kind, name);
						if (read > current) {
							VersionTracker.this.changes.incrementAndGet();
						}
						return Math.max(current, read);
					}
					catch (RedisUnavailableException ex) {
						// Keep the known version; the next refresh tries again.
						return current;
					}
				}

			});
	}

	/**
	 * Returns the current version of a name.
	 * @param name the encoded tag, group or cache name
	 * @return its version
	 * @throws RedisUnavailableException if the version is not known here and Redis cannot
	 * tell it
	 */
	public long current(String name) {
		Long known = this.versions.getIfPresent(name);
		return (known != null) ? known : this.versions.get(name);
	}

	/**
	 * Returns the version to check an L1 entry against, or to record in an entry kept in L1
	 * only: the known version or, when it cannot be read, a provisional one that this
	 * instance holds until Redis answers again ({@link #reset()}). Never to be used for what
	 * is read from or written to Redis: there an unknown version is never guessed.
	 * @param name the encoded name
	 * @return the known or provisional version
	 */
	public long currentOrProvisional(String name) {
		Long known = this.versions.getIfPresent(name);
		if (known != null) {
			return known;
		}
		try {
			return this.versions.get(name);
		}
		catch (RedisUnavailableException ex) {
			return this.provisional.computeIfAbsent(name, (n) -> 0L);
		}
	}

	/**
	 * Moves a version forward, as told by an invalidation message; never moves it back.
	 * @param name the encoded name
	 * @param version the new version
	 */
	public void advance(String name, long version) {
		this.changes.incrementAndGet();
		this.versions.asMap().merge(name, version, Math::max);
	}

	/**
	 * Advances a version in Redis, publishes it and records it here.
	 * @param name the encoded name
	 * @return the new version
	 * @throws RedisUnavailableException if Redis did not take the change
	 */
	public long bump(String name) {
		long version = this.store.bumpVersion(this.kind, name);
		advance(name, version);
		return version;
	}

	/**
	 * Returns the version of a name if it is known here, without asking Redis.
	 * @param name the encoded name
	 * @return its version, or null
	 */
	public @Nullable Long known(String name) {
		return this.versions.getIfPresent(name);
	}

	/**
	 * Returns a counter that moves, before the new version becomes visible, whenever a
	 * version is read from Redis or moves forward here. A caller that could not note a
	 * version before reading its source (a batch tag computed from the loaded value) compares
	 * it before and after: unchanged, any version known here now was already current before.
	 * @return the counter
	 */
	public long changes() {
		return this.changes.get();
	}

	/** Forgets every version, so that each is read again from Redis. */
	public void reset() {
		this.changes.incrementAndGet();
		this.provisional.clear();
		this.versions.invalidateAll();
	}

}
