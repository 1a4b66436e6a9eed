package dev.tieredcache.writebehind;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.RateLimitedLog;
import dev.tieredcache.redis.RedisUnavailableException;
import dev.tieredcache.redis.RedisWriteBehindStore;
import dev.tieredcache.redis.RedisWriteBehindStore.Pending;

/**
 * Orders the application's own database writes of a write-behind key with that key's
 * pending write: a {@code @WriteThrough} of the cache, or a {@code @WriteBehind} call that
 * runs its method at once.
 *
 * <p>Before such a method runs, the writer claims the key's pending write as a flusher
 * would ({@code wb-take.lua}): if a flush of it is under way on any instance, the writer
 * waits until it is acknowledged, so the older value reaches the database before the
 * writer's, never after; while the writer holds the claim, no flusher takes the key. The
 * cache change that follows the method ({@code write.lua}) then supersedes the pending
 * value, which is never flushed. When the method fails or its transaction rolls back, the
 * claim is {@linkplain Fence#release released} and the pending value is flushed as before.
 * A pending value written after the writer's method began is the later write: the cache
 * change keeps it ({@code write.lua}), and it is flushed after the writer's.
 *
 * <p>A fence is best effort where Redis is concerned: when Redis cannot be asked, the
 * method runs without one (the cache change is then replayed and supersedes the pending
 * value once Redis answers), and a flush still under way after {@code claim-after} is not
 * waited for any longer.
 */
public final class WriteFences {

	private static final Log logger = LogFactory.getLog(WriteFences.class);

	private static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

	private static final long LONGEST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

	private final TieredCacheManager manager;

	private final RedisWriteBehindStore store;

	private final WriteBehindMethods methods;

	private final Function<String, WriteBehindSettings> settings;

	private final RateLimitedLog warnings = new RateLimitedLog(logger, Duration.ofMinutes(1));

	/**
	 * Creates the fences.
	 * @param manager the caches
	 * @param store the Redis side of write-behind
	 * @param methods tells which caches are write-behind caches
	 * @param settings the write-behind settings of each cache
	 */
	public WriteFences(TieredCacheManager manager, RedisWriteBehindStore store, WriteBehindMethods methods,
			Function<String, WriteBehindSettings> settings) {
		this.manager = manager;
		this.store = store;
		this.methods = methods;
		this.settings = settings;
	}

	/**
	 * Whether writes of a cache need a fence: whether it is a write-behind cache.
	 * @param cacheName the cache
	 * @return whether {@link #acquire} can do anything for it
	 */
	public boolean applies(String cacheName) {
		return this.methods.get(cacheName) != null;
	}

	/**
	 * Fences a key before the application writes it to the database: waits for a flush of
	 * its pending write under way, then holds the claim.
	 * @param cacheName the cache
	 * @param encodedKey the key as the cache encodes it
	 * @return the fence, {@link Fence#NONE} when nothing is pending, the cache is not a
	 * write-behind cache, Redis cannot be asked or the wait ran out
	 */
	public Fence acquire(String cacheName, String encodedKey) {
		if (!applies(cacheName)) {
			return Fence.NONE;
		}
		TieredCache cache = this.manager.getCache(cacheName);
		String name = cache.getEncodedName();
		String owner = "writer-" + UUID.randomUUID();
		long lease = this.settings.apply(cacheName).claimAfter().toMillis();
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(lease);
		long pause = FIRST_PAUSE_NANOS;
		while (true) {
			Pending pending;
			try {
				pending = this.store.take(name, encodedKey, owner, lease);
			}
			catch (RedisUnavailableException ex) {
				return Fence.NONE;
			}
			if (pending != null) {
				if (pending.serializedKey() == null) {
					return Fence.NONE;
				}
				Fence fence = new Fence(this, name, encodedKey, owner);
				fence.startHeartbeat(lease);
				return fence;
			}
			if (System.nanoTime() - deadline >= 0 || Thread.currentThread().isInterrupted()) {
				this.warnings.warn(cacheName, () -> "A flush of a pending write of cache '" + cacheName
						+ "' was still under way after claim-after; a write of the same key goes ahead without "
						+ "waiting for it");
				return Fence.NONE;
			}
			// A flush takes a round trip to the database: a short, growing pause.
			LockSupport.parkNanos(pause);
			pause = Math.min(pause * 2, LONGEST_PAUSE_NANOS);
		}
	}

	private void release(String cache, String encodedKey, String owner) {
		try {
			this.store.release(cache, encodedKey, owner);
		}
		catch (RedisUnavailableException ex) {
			// The claim runs out after claim-after; the flush of the key waits until then.
		}
	}

	private @Nullable ScheduledFuture<?> heartbeat(String cache, String encodedKey, String owner, long lease) {
		try {
			return this.store.executor()
				.schedule(Duration.ofMillis(Math.max(1, lease / 3)),
						() -> this.store.renew(cache, encodedKey, owner, lease));
		}
		catch (RejectedExecutionException ex) {
			// Shutting down: the claim simply runs out after claim-after.
			return null;
		}
	}

	/**
	 * A writer's claim on a key's pending write, renewed (every third of the lease, on the
	 * housekeeping scheduler) while the writer's method and cache change run, so that a
	 * method slower than {@code claim-after} keeps it.
	 */
	public static final class Fence {

		/** No fence: nothing to release. */
		public static final Fence NONE = new Fence(null, "", "", "");

		private final @Nullable WriteFences fences;

		private final String cache;

		private final String key;

		private final String owner;

		private volatile @Nullable ScheduledFuture<?> heartbeat;

		private Fence(@Nullable WriteFences fences, String cache, String key, String owner) {
			this.fences = fences;
			this.cache = cache;
			this.key = key;
			this.owner = owner;
		}

		private void startHeartbeat(long lease) {
			if (this.fences != null) {
				this.heartbeat = this.fences.heartbeat(this.cache, this.key, this.owner, lease);
			}
		}

		/**
		 * Ends the fence after the writer's cache change: it superseded the pending write
		 * (the claim went with the marker) or kept a newer one (and gave the claim up). A
		 * change that could not reach Redis leaves the claim to run out after
		 * {@code claim-after}, while the change is replayed.
		 */
		public void finish() {
			ScheduledFuture<?> running = this.heartbeat;
			if (running != null) {
				running.cancel(false);
			}
		}

		/**
		 * Gives the claim up when the writer's write did not happen (its method failed, its
		 * transaction rolled back), so that the pending write is flushed as before.
		 */
		public void release() {
			finish();
			if (this.fences != null) {
				this.fences.release(this.cache, this.key, this.owner);
			}
		}

	}

}
