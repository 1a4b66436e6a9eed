package dev.tieredcache.batch;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Loads the values of several keys from the source of truth in one call: the method
 * annotated with {@code @ReadThroughAll}, or the function given to
 * {@code TieredCache#getAll(Collection, Function)}.
 */
@FunctionalInterface
public interface BatchLoader {

	/**
	 * Loads values.
	 * @param keys the keys to load, distinct, in the order they were asked for
	 * @return the values found, by key; a key missing from the map has no value (cached as
	 * null); null is read as an empty map
	 * @throws Throwable whatever the source of truth throws; it reaches the caller unchanged
	 */
	@Nullable Map<?, ?> load(List<Object> keys) throws Throwable;

}
