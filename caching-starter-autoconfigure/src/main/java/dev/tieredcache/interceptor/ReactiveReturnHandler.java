package dev.tieredcache.interceptor;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

import dev.tieredcache.redis.RateLimitedLog;

/**
 * Reactor results ({@code Mono}, {@code Flux}): the value is cached, not the publisher.
 *
 * <p>Nothing happens before the caller subscribes, except for an L1 hit, which is answered
 * with a publisher of the value at once. Each subscription then reads through the cache on
 * a bounded pool of its own (the starter's {@code tiered-cache-reactive} threads), never on
 * the subscriber's thread: that pool thread reads Redis, waits for another instance's load
 * if need be and, on a load, subscribes the method's publisher once, with the subscriber's
 * Reactor context, and waits for its value. Cancelling a subscription does not interrupt a
 * load that other callers may be waiting for. When the pool is full, the subscription gets
 * the method's publisher uncached (logged at WARN) rather than waiting or failing.
 *
 * <p>Cache changes that follow the method (writes, invalidations, bumps) run once its
 * publisher has completed with a value or empty, on the pool, and the caller sees that
 * value after them; inside a transaction they wait for its commit (see
 * {@link ReactiveAfterCommit}). An error of the publisher reaches the caller and changes
 * nothing.
 */
abstract class ReactiveReturnHandler extends ReturnHandler {

	private static final Log logger = LogFactory.getLog(ReactiveReturnHandler.class);

	private final Scheduler scheduler;

	private final RateLimitedLog warnings = new RateLimitedLog(logger, Duration.ofMinutes(1));

	ReactiveReturnHandler(Scheduler scheduler) {
		this.scheduler = scheduler;
	}

	/**
	 * Returns the method's publisher as a {@code Mono} of the value to cache.
	 * @param returned the method's publisher
	 * @return its value
	 */
	abstract Mono<@Nullable Object> value(Object returned);

	/**
	 * Returns the publisher the caller expects for a {@code Mono} of the cached value.
	 * @param value the value
	 * @return a publisher of the method's return type
	 */
	abstract Object publisher(Mono<@Nullable Object> value);

	@Override
	@Nullable Object await(@Nullable Object returned) {
		return await(returned, Context.empty());
	}

	private @Nullable Object await(@Nullable Object returned, ContextView context) {
		return (returned != null) ? value(returned).contextWrite(context).toFuture().join() : null;
	}

	@Override
	boolean isSynchronous() {
		return false;
	}

	@Override
	Object read(PendingRead read) {
		return publisher(Mono.deferContextual((context) -> readOnPool(read, context))
			.onErrorResume(PoolFull.class, (ex) -> {
				this.warnings.warn("pool", () -> "The tiered cache's reactive pool is full: a call runs uncached");
				return Mono.defer(() -> value(uncached(read)));
			}));
	}

	private Mono<@Nullable Object> readOnPool(PendingRead read, ContextView context) {
		return Mono.create((sink) -> {
			try {
				// The task is never disposed: a load that other callers wait for runs to its end.
				this.scheduler.schedule(() -> {
					try {
						sink.success(read.readThrough((returned) -> await(returned, context)));
					}
					catch (Throwable ex) {
						sink.error(ex);
					}
				});
			}
			catch (RejectedExecutionException ex) {
				sink.error(new PoolFull());
			}
		});
	}

	private static Object uncached(PendingRead read) {
		try {
			return read.uncached();
		}
		catch (RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	@Nullable Object afterReturning(@Nullable Object returned, Consumer<@Nullable Object> changes) {
		if (returned == null) {
			return null;
		}
		return publisher(value(returned).map(Optional::of)
			.defaultIfEmpty(Optional.empty())
			.flatMap((present) -> ReactiveAfterCommit.run(() -> changes.accept(present.orElse(null)), this::onPool)
				.then(Mono.justOrEmpty(present))));
	}

	@Override
	Object beforeInvocation(Runnable changes, Call call) {
		return publisher(onPool(changes).then(Mono.defer(() -> {
			try {
				Object returned = call.proceed();
				return (returned != null) ? value(returned) : Mono.empty();
			}
			catch (Throwable ex) {
				return Mono.error(ex);
			}
		})));
	}

	/**
	 * Runs cache changes on the pool; when the pool is full, on the current thread rather
	 * than not at all, since a skipped change would leave a stale value cached.
	 */
	private Mono<Void> onPool(Runnable changes) {
		return Mono.fromRunnable(changes)
			.subscribeOn(this.scheduler)
			.onErrorResume(RejectedExecutionException.class, (ex) -> {
				this.warnings.warn("pool", () -> "The tiered cache's reactive pool is full: cache changes run on "
						+ Thread.currentThread().getName());
				return Mono.fromRunnable(changes);
			})
			.then();
	}

	/** Signals that the pool took no more work; never escapes this class. */
	private static final class PoolFull extends RuntimeException {

		PoolFull() {
			super("The tiered cache's reactive pool is full", null, false, false);
		}

	}

}
