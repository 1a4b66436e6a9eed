package dev.tieredcache.cache;

import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * How the caches of one manager take part in Spring-managed transactions, as Spring's
 * {@code TransactionAwareCacheDecorator} does: inside a transaction, {@code put},
 * {@code evict} and {@code clear} of the {@link org.springframework.cache.Cache} API run
 * after the commit and are dropped on rollback, and a value loaded on a miss inside a
 * transaction that may write is published to Redis only after the commit (it may be
 * uncommitted data). A value loaded inside a transaction running at {@code REPEATABLE_READ}
 * or {@code SERIALIZABLE} is never stored: it comes from a snapshot that may predate writes
 * completed before the miss. {@code evictIfPresent}, {@code invalidate} and reads stay
 * immediate. Read-only transactions at the default or {@code READ_COMMITTED} isolation read
 * committed data and are treated as no transaction. (Spring cannot see a database's own
 * default isolation: with one that takes snapshots, such as MySQL's, declare the isolation
 * on transactions that read through the cache.)
 *
 * <p>Thread-safe; the switch may be flipped at any time (by
 * {@code tiered-cache.transaction-aware}).
 */
public final class CacheTransactions {

	private volatile boolean aware = true;

	/**
	 * Sets whether the caches take part in transactions.
	 * @param aware whether changes wait for the commit
	 */
	public void setAware(boolean aware) {
		this.aware = aware;
	}

	/** Returns whether the caches take part in transactions. */
	public boolean isAware() {
		return this.aware;
	}

	/**
	 * Decides what becomes of a value loaded on a miss by the current thread.
	 * @return how the value may be stored
	 */
	MissPolicy missPolicy() {
		if (!this.aware || !TransactionSynchronizationManager.isSynchronizationActive()
				|| !TransactionSynchronizationManager.isActualTransactionActive()) {
			return MissPolicy.STORE;
		}
		Integer isolation = TransactionSynchronizationManager.getCurrentTransactionIsolationLevel();
		if (isolation != null && isolation >= TransactionDefinition.ISOLATION_REPEATABLE_READ) {
			// The snapshot may predate writes that completed before this miss: the row read
			// can be older than the write sequence noted now could tell.
			return MissPolicy.KEEP_OUT;
		}
		return TransactionSynchronizationManager.isCurrentTransactionReadOnly() ? MissPolicy.STORE
				: MissPolicy.STORE_AFTER_COMMIT;
	}

	/**
	 * Whether a change of the {@code Cache} API made now must wait for the commit.
	 * @return whether a transaction with synchronization is active and the caches take part
	 */
	boolean deferChanges() {
		return this.aware && TransactionSynchronizationManager.isSynchronizationActive()
				&& TransactionSynchronizationManager.isActualTransactionActive();
	}

	/**
	 * Runs a change after the current transaction commits; never if it rolls back.
	 * @param change the change
	 */
	static void afterCommit(Runnable change) {
		TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

			@Override
			public void afterCommit() {
				change.run();
			}

		});
	}

	/** What a value loaded on a miss may become. */
	enum MissPolicy {

		/** Stored at once, shared with concurrent callers. */
		STORE,
		/** Stored after the commit, if no write came first; dropped on rollback. */
		STORE_AFTER_COMMIT,
		/** Returned to the caller only. */
		KEEP_OUT

	}

}
