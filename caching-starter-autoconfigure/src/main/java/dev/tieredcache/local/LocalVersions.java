package dev.tieredcache.local;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import dev.tieredcache.redis.RedisKeyLayout.VersionKind;
import dev.tieredcache.redis.VersionSource;

/**
 * The versions of tags, versioned groups and cache epochs of the L1-only mode
 * ({@code tiered-cache.redis.enabled=false}): held in this JVM, bumped here on invalidation,
 * never unreachable. Kept for the life of the application, as many as distinct names were
 * invalidated (a name read but never bumped is not stored).
 */
public final class LocalVersions implements VersionSource {

	private final ConcurrentMap<String, Long> versions = new ConcurrentHashMap<>();

	@Override
	public long readVersion(VersionKind kind, String name) {
		return this.versions.getOrDefault(id(kind, name), 0L);
	}

	@Override
	public long bumpVersion(VersionKind kind, String name) {
		return this.versions.merge(id(kind, name), 1L, Long::sum);
	}

	private static String id(VersionKind kind, String name) {
		return kind.ordinal() + ":" + name;
	}

}
