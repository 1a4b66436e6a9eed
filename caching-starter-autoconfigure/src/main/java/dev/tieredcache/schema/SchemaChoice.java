package dev.tieredcache.schema;

import org.jspecify.annotations.Nullable;

/**
 * How the schema of one cache is chosen, from {@code tiered-cache.caches.<name>.schema.*}
 * and {@code tiered-cache.defaults.schema.*}.
 *
 * @param version the explicit schema version, or null
 * @param fingerprint whether, without an explicit version, the schema is a fingerprint of
 * the structure of the cache's value types
 */
public record SchemaChoice(@Nullable String version, boolean fingerprint) {
}
