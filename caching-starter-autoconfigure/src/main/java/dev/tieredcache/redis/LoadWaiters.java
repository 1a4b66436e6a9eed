package dev.tieredcache.redis;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Callers of this instance waiting for a load that another instance holds the lock for.
 * A load notification from the invalidation channel completes the entry's future, so a
 * waiter wakes as soon as the value is written instead of polling Redis.
 */
public final class LoadWaiters {

	private final ConcurrentMap<String, CompletableFuture<Void>> waiters = new ConcurrentHashMap<>();

	/**
	 * Registers interest in an entry's load; call before asking for the lock, so that a
	 * notification sent in between is not missed.
	 * @param entryId the entry
	 * @return a future completed when a load of the entry finishes
	 */
	public CompletableFuture<Void> register(String entryId) {
		return this.waiters.computeIfAbsent(entryId, (id) -> new CompletableFuture<>());
	}

	/**
	 * Withdraws interest, once the caller no longer waits.
	 * @param entryId the entry
	 * @param future what {@link #register} returned
	 */
	public void unregister(String entryId, CompletableFuture<Void> future) {
		this.waiters.remove(entryId, future);
	}

	/**
	 * Wakes the waiters of an entry.
	 * @param entryId the entry
	 */
	public void loadFinished(String entryId) {
		CompletableFuture<Void> future = this.waiters.remove(entryId);
		if (future != null) {
			future.complete(null);
		}
	}

	/**
	 * Returns how many entries have a waiter; for tests and diagnostics.
	 * @return the number of entries waited for
	 */
	public int size() {
		return this.waiters.size();
	}

}
