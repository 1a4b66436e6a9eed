package dev.tieredcache.cache;

import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

/**
 * One read-through call: the key as L1 holds it, the tags its value will carry, how to load
 * it, whether a loaded value may be stored and whether the loader may be run again in the
 * background (for early refresh and stale-while-revalidate).
 *
 * @param key the encoded key (including a group version, if any)
 * @param tags the encoded tags; empty for none
 * @param loader loads the value on a miss
 * @param storable decides whether a loaded value is cached
 * @param refreshLoader loads the value again on a background thread, for early refresh and
 * stale-while-revalidate; null if the value cannot be loaded that way
 */
public record ReadRequest(String key, String[] tags, ValueLoader loader, Predicate<@Nullable Object> storable,
		@Nullable ValueLoader refreshLoader) {

	/**
	 * Whether the value can be refreshed in the background.
	 * @return whether a refresh loader is present
	 */
	public boolean refreshable() {
		return this.refreshLoader != null;
	}

	private static final Predicate<@Nullable Object> ALWAYS = (value) -> true;

	/**
	 * A plain request: no tags, every value stored, no background refresh.
	 * @param key the encoded key
	 * @param loader the loader
	 * @return the request
	 */
	public static ReadRequest of(String key, ValueLoader loader) {
		return of(key, CacheEntry.NO_TAGS, loader, ALWAYS, null);
	}

	/**
	 * A request with every part given.
	 * @param key the encoded key
	 * @param tags the encoded tags
	 * @param loader the loader
	 * @param storable decides whether a loaded value is cached, null for always
	 * @param refreshLoader background loader, or null
	 * @return the request
	 */
	public static ReadRequest of(String key, String[] tags, ValueLoader loader,
			@Nullable Predicate<@Nullable Object> storable, @Nullable ValueLoader refreshLoader) {
		return new ReadRequest(key, tags, loader, (storable != null) ? storable : ALWAYS, refreshLoader);
	}

}
