package dev.tieredcache.cache;

import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * Wraps the two slow steps of a cache, the runs of a loader and the reads of Redis (L2), so
 * that they can be observed (as Micrometer {@code Observation}s, spans of a trace). An L1 hit
 * goes through neither and is never observed.
 *
 * <p>An implementation must run the step exactly once, on the calling thread, and hand its
 * result or exception back unchanged. It is called concurrently from any thread.
 */
public interface CacheObserver {

	/** Observes nothing: runs each step as it is. */
	CacheObserver NONE = new CacheObserver() {

		@Override
		public @Nullable Object load(String cacheName, ValueLoader loader) throws Throwable {
			return loader.load();
		}

		@Override
		public <T> @Nullable T readRemote(String cacheName, Supplier<@Nullable T> read) {
			return read.get();
		}

	};

	/**
	 * Runs a load of a cache.
	 * @param cacheName the cache's name
	 * @param loader the loader, the method or value loader behind the cache
	 * @return what the loader returned
	 * @throws Throwable what the loader threw
	 */
	@Nullable Object load(String cacheName, ValueLoader loader) throws Throwable;

	/**
	 * Runs a read of one entry from Redis.
	 * @param <T> the entry type
	 * @param cacheName the cache's name
	 * @param read the read: null for a miss; throws when Redis is unavailable
	 * @return what the read returned
	 */
	<T> @Nullable T readRemote(String cacheName, Supplier<@Nullable T> read);

}
