package dev.tieredcache.interceptor;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * {@code CompletableFuture} and {@code CompletionStage} results: the value the future
 * completes with is cached.
 *
 * <p>The caller gets a future at once: an L1 hit as a completed one, anything else from the
 * starter's async pool, whose thread reads Redis, waits for another instance's load if
 * need be and, on a load, waits for the method's own future. The cache changes that follow
 * the method run when its future completes, on that pool rather than on the thread that
 * completed the future (which may be an event loop), and the future the caller gets
 * completes after them; a future already complete when the method returns has them run at
 * once on the calling thread, as a plain method would, inside its transaction if any.
 */
final class FutureReturnHandler extends ReturnHandler {

	private final Executor executor;

	FutureReturnHandler(Executor executor) {
		this.executor = executor;
	}

	@Override
	@Nullable Object await(@Nullable Object returned) {
		return (returned != null) ? ((CompletionStage<?>) returned).toCompletableFuture().join() : null;
	}

	@Override
	Object wrap(@Nullable Object value) {
		return CompletableFuture.completedFuture(value);
	}

	@Override
	boolean isSynchronous() {
		return false;
	}

	@Override
	@Nullable Object read(PendingRead read) throws Throwable {
		CompletableFuture<@Nullable Object> result = new CompletableFuture<>();
		try {
			this.executor.execute(() -> {
				try {
					result.complete(read.readThrough(this::await));
				}
				catch (Throwable ex) {
					result.completeExceptionally(ex);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			// The pool is shutting down: the method still answers.
			return read.uncached();
		}
		return result;
	}

	@Override
	@Nullable Object afterReturning(@Nullable Object returned, Consumer<@Nullable Object> changes) {
		if (!(returned instanceof CompletionStage<?> stage)) {
			changes.accept(null);
			return returned;
		}
		CompletableFuture<?> future = stage.toCompletableFuture();
		if (future.isDone()) {
			if (!future.isCompletedExceptionally()) {
				changes.accept(future.join());
			}
			return returned;
		}
		return future.whenCompleteAsync((value, ex) -> {
			if (ex == null) {
				changes.accept(value);
			}
		}, this.executor);
	}

}
