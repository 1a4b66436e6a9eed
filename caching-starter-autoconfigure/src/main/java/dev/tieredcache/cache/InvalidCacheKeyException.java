package dev.tieredcache.cache;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when a cache key has no string form that can be trusted to tell it from every
 * other key, so that caching it could hand one key's value to another. The message names
 * the key's class and how to give it a string form; it never contains the key itself.
 */
public class InvalidCacheKeyException extends IllegalArgumentException {

	private static final long serialVersionUID = 1L;

	private final transient Class<?> keyClass;

	/**
	 * Creates the exception.
	 * @param keyClass the class of the key
	 * @param message what is wrong, naming the class, and how to fix it
	 * @param cause what failed (a converter), or null
	 */
	public InvalidCacheKeyException(Class<?> keyClass, String message, @Nullable Throwable cause) {
		super(message, cause);
		this.keyClass = keyClass;
	}

	/** Returns the class of the key that was refused. */
	public Class<?> getKeyClass() {
		return this.keyClass;
	}

	/**
	 * Returns this exception with the name of the cache in front of its message.
	 * @param cache the cache name
	 * @return the exception to throw
	 */
	InvalidCacheKeyException inCache(String cache) {
		return new InvalidCacheKeyException(this.keyClass, "Cache '" + cache + "': " + getMessage(), this);
	}

}
