package dev.tieredcache.annotation;

/**
 * What {@link WriteThrough} does to the cache after the method wrote the source of truth.
 */
public enum WriteMode {

	/**
	 * Store the new value in Redis and L1 and drop the key from other instances' L1, so the
	 * next read anywhere is a hit on the new value.
	 */
	PUT,

	/**
	 * Delete the key everywhere, so the next read loads the fresh value.
	 */
	EVICT

}
