package dev.tieredcache.existence;

import java.util.stream.Stream;

/**
 * The keys that exist in the source of truth for one cache, from which its existence
 * filter is built: at start-up when Redis holds no filter for the cache yet, and by the
 * {@code tieredcache} actuator endpoint's rebuild. A bean per cache whose
 * {@code tiered-cache.caches.<name>.existence-filter.enabled} is true; start-up fails if one
 * is missing, or if one names a cache without the filter.
 *
 * <p>Keys must be what the cache's reads use as keys (the {@code key} expression of
 * {@code @ReadThrough}, or the key given to the {@code Cache} API), before encoding: the
 * starter encodes them as it encodes read keys. The stream should read committed data
 * (a query on its own connection, outside the caller's transaction), and is closed after
 * use. A typical one streams the ids of a table:
 *
 * <pre class="code">
 * &#64;Bean
 * ExistingKeys userIds(JdbcTemplate jdbc) {
 *     return ExistingKeys.of("users", () -&gt; jdbc.queryForStream("select id from users", (rs, i) -&gt; rs.getLong(1)));
 * }
 * </pre>
 */
public interface ExistingKeys {

	/**
	 * Returns the name of the cache whose keys these are.
	 * @return the cache name
	 */
	String cacheName();

	/**
	 * Returns every key that exists in the source of truth now.
	 * @return the keys, closed by the caller
	 */
	Stream<?> keys();

	/**
	 * Creates the source of a cache's keys.
	 * @param cacheName the cache name
	 * @param keys opens a stream of the keys
	 * @return the source
	 */
	static ExistingKeys of(String cacheName, java.util.function.Supplier<? extends Stream<?>> keys) {
		return new ExistingKeys() {

			@Override
			public String cacheName() {
				return cacheName;
			}

			@Override
			public Stream<?> keys() {
				return keys.get();
			}

		};
	}

}
