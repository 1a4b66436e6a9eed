package dev.tieredcache.cache;

import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

import dev.tieredcache.redis.LoadWaiters;
import dev.tieredcache.redis.RedisStore;
import dev.tieredcache.redis.VersionTracker;
import dev.tieredcache.serialization.EntryCodec;

/**
 * What every {@link TieredCache} of one manager shares: the Redis tier, the envelope codec,
 * the version trackers, the waiters of cross-instance loads, the executors, the clock and
 * the key encoder.
 *
 * <p>In the L1-only mode ({@code tiered-cache.redis.enabled=false}) there is no Redis tier:
 * {@link #store()} is null, the trackers read {@code dev.tieredcache.local.LocalVersions},
 * and every read, write and load of the caches stays in L1 ({@link #localOnly()}).
 *
 * @param store the Redis tier, or null in the L1-only mode
 * @param codec the envelope codec
 * @param tags current tag versions
 * @param groups current versioned-group versions
 * @param epochs current cache epochs
 * @param waiters callers waiting on another instance's load
 * @param refreshExecutor runs early and stale-while-revalidate refreshes; may reject
 * @param asyncExecutor runs loads for {@code CompletableFuture} callers
 * @param clock wall clock in epoch milliseconds (injectable for tests)
 * @param keyEncoder turns keys into the strings both tiers use
 * @param observer wraps loads and Redis reads, for observations; {@link CacheObserver#NONE}
 * for none
 */
public record CacheServices(@Nullable RedisStore store, EntryCodec codec, VersionTracker tags, VersionTracker groups,
		VersionTracker epochs, LoadWaiters waiters, Executor refreshExecutor, Executor asyncExecutor,
		LongSupplier clock, CacheKeyEncoder keyEncoder, CacheObserver observer) {

	/**
	 * Services without observations.
	 * @param store the Redis tier, or null in the L1-only mode
	 * @param codec the envelope codec
	 * @param tags current tag versions
	 * @param groups current versioned-group versions
	 * @param epochs current cache epochs
	 * @param waiters callers waiting on another instance's load
	 * @param refreshExecutor runs early and stale-while-revalidate refreshes; may reject
	 * @param asyncExecutor runs loads for {@code CompletableFuture} callers
	 * @param clock wall clock in epoch milliseconds
	 * @param keyEncoder turns keys into the strings both tiers use
	 */
	public CacheServices(@Nullable RedisStore store, EntryCodec codec, VersionTracker tags, VersionTracker groups,
			VersionTracker epochs, LoadWaiters waiters, Executor refreshExecutor, Executor asyncExecutor,
			LongSupplier clock, CacheKeyEncoder keyEncoder) {
		this(store, codec, tags, groups, epochs, waiters, refreshExecutor, asyncExecutor, clock, keyEncoder,
				CacheObserver.NONE);
	}

	/**
	 * Whether the caches run without Redis ({@code tiered-cache.redis.enabled=false}): L1
	 * is their only tier, and tags, groups and clears are versioned in this JVM.
	 * @return whether there is no Redis tier
	 */
	public boolean localOnly() {
		return this.store == null;
	}

}
