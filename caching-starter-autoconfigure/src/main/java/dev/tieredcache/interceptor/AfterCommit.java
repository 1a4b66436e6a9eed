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
	 * Runs an action once the surrounding transaction completed, told whether it committed;
	 * at once, as committed, when there is none.
	 */
	static void completed(java.util.function.Consumer<Boolean> action) {
		if (inTransaction()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

				@Override
				public void afterCompletion(int status) {
					action.accept(status == STATUS_COMMITTED);
				}

			});
		}
		else {
			action.accept(true);
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
