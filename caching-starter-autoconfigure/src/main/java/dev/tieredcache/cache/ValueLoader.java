package dev.tieredcache.cache;

import org.jspecify.annotations.Nullable;

/**
 * Produces a value from the source of truth on a cache miss: the annotated method, or the
 * {@code Callable} given to {@link org.springframework.cache.Cache#get(Object, java.util.concurrent.Callable)}.
 */
@FunctionalInterface
public interface ValueLoader {

	/**
	 * Loads the value.
	 * @return the value, may be null
	 * @throws Throwable whatever the source of truth throws; it reaches the caller unchanged
	 */
	@Nullable Object load() throws Throwable;

}
