package dev.tieredcache.interceptor;

import java.util.function.Function;

import reactor.core.publisher.Mono;

import org.springframework.transaction.NoTransactionException;
import org.springframework.transaction.reactive.TransactionSynchronization;
import org.springframework.transaction.reactive.TransactionSynchronizationManager;

/**
 * The reactive counterpart of {@link AfterCommit}: runs the cache changes that follow a
 * {@code Mono} or {@code Flux} after the transaction it runs in commits, and never if it
 * rolls back.
 *
 * <p>A reactive transaction (Spring's {@code TransactionalOperator} or a reactive
 * {@code @Transactional} around the caller) is found in the subscriber's Reactor context;
 * the changes then run when it commits. A transaction bound to the thread that emitted the
 * value (an imperative one, with the value emitted on its thread) has each change register
 * itself with {@link AfterCommit}, as for a plain method. Otherwise they run at once. A {@code @Transactional} method
 * that itself carries the cache annotation has committed before its value reaches the
 * interceptor, which is ordered outside the transaction advice.
 */
final class ReactiveAfterCommit {

	private ReactiveAfterCommit() {
	}

	/**
	 * Runs or registers cache changes.
	 * @param changes the changes
	 * @param onPool runs the changes off the subscriber's thread
	 * @return completes once the changes ran, or were registered for the commit
	 */
	static Mono<Void> run(Runnable changes, Function<Runnable, Mono<Void>> onPool) {
		return TransactionSynchronizationManager.forCurrentTransaction()
			.map((transaction) -> registered(transaction, changes, onPool))
			.onErrorResume(NoTransactionException.class, (ex) -> Mono.just(false))
			.flatMap((registered) -> {
				if (registered) {
					return Mono.empty();
				}
				if (AfterCommit.inTransaction()) {
					// Each change registers itself with AfterCommit: nothing here blocks.
					changes.run();
					return Mono.empty();
				}
				return onPool.apply(changes);
			});
	}

	private static boolean registered(TransactionSynchronizationManager transaction, Runnable changes,
			Function<Runnable, Mono<Void>> onPool) {
		if (!transaction.isSynchronizationActive() || !transaction.isActualTransactionActive()) {
			return false;
		}
		transaction.registerSynchronization(new TransactionSynchronization() {

			@Override
			public Mono<Void> afterCommit() {
				return onPool.apply(changes);
			}

		});
		return true;
	}

}
