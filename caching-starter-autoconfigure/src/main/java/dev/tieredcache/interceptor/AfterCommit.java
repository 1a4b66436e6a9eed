package dev.tieredcache.interceptor;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Runs cache changes after the surrounding transaction commits, or at once when there is
 * none. Changes registered in a transaction that rolls back never run, so a concurrent
 * reader cannot re-cache the old row between the cache change and the commit.
 */
final class AfterCommit {

	private AfterCommit() {
	}

	/** Whether a transaction with synchronization is bound to the current thread. */
	static boolean inTransaction() {
		return TransactionSynchronizationManager.isSynchronizationActive()
				&& TransactionSynchronizationManager.isActualTransactionActive();
	}

	/**
	 * Runs an action if the surrounding transaction rolls back (or completes in an unknown
	 * state); never when there is none.
	 */
	static void rolledBack(Runnable action) {
		if (inTransaction()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

				@Override
				public void afterCompletion(int status) {
					if (status != STATUS_COMMITTED) {
						action.run();
					}
				}

			});
		}
	}

	static void run(Runnable change) {
		if (inTransaction()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

				@Override
				public void afterCommit() {
					change.run();
				}

			});
		}
		else {
			change.run();
		}
	}

}
