package dev.tieredcache;

/**
 * Programmatic access to the invalidations the annotations perform, for code that cannot
 * use them. Available as a bean whenever the tiered cache is configured.
 *
 * <pre class="code">
 * operations.invalidateTags("user:" + id);
 * long version = operations.bumpVersion("team:" + teamId + ":dashboards");
 * </pre>
 *
 * Every method reaches every instance: Redis first, then the other instances' L1 through
 * the invalidation channel. None throws when Redis is unreachable; the change then applies
 * to this instance only and is logged.
 */
public interface TieredCacheOperations {

	/**
	 * Invalidates every entry carrying any of the tags, in every cache, on every instance.
	 * Costs one Redis operation per tag, whatever the number of entries.
	 * @param tags the tags
	 */
	void invalidateTags(String... tags);

	/**
	 * Advances a versioned group's version: every entry of the group becomes unreachable
	 * at once on every instance. When Redis cannot be reached, this instance's L1 is
	 * cleared at once and the bump is applied once Redis answers again.
	 * @param group the group name
	 * @return the new version, or, when Redis cannot be reached, the version this instance
	 * knows
	 */
	long bumpVersion(String group);

	/**
	 * Returns a versioned group's current version.
	 * @param group the group name
	 * @return the version
	 */
	long currentVersion(String group);

	/**
	 * Evicts one key of one cache from both tiers on every instance.
	 * @param cache the cache name
	 * @param key the key, as the cache's methods use it
	 */
	void evict(String cache, Object key);

}
