package dev.tieredcache.redis;

import java.time.Duration;
import java.util.concurrent.Executor;

import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;

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

	private final RedisStore store;

	private final VersionKind kind;

	private final LoadingCache<String, Long> versions;

	/**
	 * Creates a tracker.
	 * @param store reads and bumps versions in Redis
	 * @param kind the kind of version tracked
	 * @param refreshInterval how often a version in use is re-read in the background
	 * @param executor runs the background re-reads
	 */
	public VersionTracker(RedisStore store, VersionKind kind, Duration refreshInterval, Executor executor) {
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
					return store.readVersion(kind, name);
				}

				@Override
				public Long reload(String name, Long current) {
					try {
						return Math.max(current, store.readVersion(kind, name));
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
	 * Moves a version forward, as told by an invalidation message; never moves it back.
	 * @param name the encoded name
	 * @param version the new version
	 */
	public void advance(String name, long version) {
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

	/** Forgets every version, so that each is read again from Redis. */
	public void reset() {
		this.versions.invalidateAll();
	}

}
