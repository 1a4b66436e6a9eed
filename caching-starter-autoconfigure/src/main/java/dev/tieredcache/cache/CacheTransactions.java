package dev.tieredcache.cache;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * How the caches of one manager take part in Spring-managed transactions, as Spring's
 * {@code TransactionAwareCacheDecorator} does: inside a transaction, {@code put},
 * {@code evict} and {@code clear} of the {@link org.springframework.cache.Cache} API run
 * after the commit and are dropped on rollback, and a value loaded on a miss inside a
 * transaction that may write is published to Redis only after the commit (it may be
 * uncommitted data). {@code evictIfPresent}, {@code invalidate} and reads stay immediate.
 * Read-only transactions read committed data and are treated as no transaction.
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
	 * Whether the current thread runs a transaction that may write, with synchronization
	 * active, while the caches take part in transactions.
	 * @return whether changes made now must wait for the commit
	 */
	boolean inWritingTransaction() {
		return this.aware && TransactionSynchronizationManager.isSynchronizationActive()
				&& TransactionSynchronizationManager.isActualTransactionActive()
				&& !TransactionSynchronizationManager.isCurrentTransactionReadOnly();
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

}
