package dev.tieredcache.redis;

import dev.tieredcache.redis.RedisKeyLayout.VersionKind;

/**
 * Where the versions of tags, versioned groups and cache epochs live: Redis
 * ({@link RedisStore}), shared by every instance, or this JVM alone in the L1-only mode
 * ({@code dev.tieredcache.local.LocalVersions}). A {@link VersionTracker} holds them in
 * memory in front of it.
 */
public interface VersionSource {

	/**
	 * Reads the current version of a name.
	 * @param kind the kind of version
	 * @param name the encoded tag, group or cache name
	 * @return its version, 0 if it never moved
	 * @throws RedisUnavailableException if the source cannot be reached
	 */
	long readVersion(VersionKind kind, String name);

	/**
	 * Advances the version of a name and tells the other instances, if any.
	 * @param kind the kind of version
	 * @param name the encoded tag, group or cache name
	 * @return the new version
	 * @throws RedisUnavailableException if the source did not take the change
	 */
	long bumpVersion(VersionKind kind, String name);

}
