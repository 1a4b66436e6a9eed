package dev.tieredcache.interceptor;

import java.util.concurrent.Executor;

import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The {@link ReturnHandler} of each {@link ReturnKind}. The Reactor handlers, and the
 * bounded pool they read on, exist only when Reactor is on the class path.
 */
final class ReturnHandlers implements AutoCloseable {

	private final ReturnHandler[] handlers = new ReturnHandler[ReturnKind.values().length];

	private final @Nullable AutoCloseable reactivePool;

	/**
	 * Creates the handlers.
	 * @param asyncExecutor the pool of {@code CompletableFuture} reads
	 */
	ReturnHandlers(Executor asyncExecutor) {
		this.handlers[ReturnKind.PLAIN.ordinal()] = new PlainReturnHandler();
		this.handlers[ReturnKind.OPTIONAL.ordinal()] = new OptionalReturnHandler();
		this.handlers[ReturnKind.FUTURE.ordinal()] = new FutureReturnHandler(asyncExecutor);
		this.reactivePool = ReturnKind.REACTOR_PRESENT ? Reactor.register(this.handlers) : null;
	}

	ReturnHandler get(ReturnKind kind) {
		return this.handlers[kind.ordinal()];
	}

	@Override
	public void close() throws Exception {
		if (this.reactivePool != null) {
			this.reactivePool.close();
		}
	}

	/** Kept apart so that Reactor's classes are loaded only when Reactor is present. */
	private static final class Reactor {

		/** At most this many reads of Reactor callers block at once; the others queue. */
		private static final int THREADS = 64;

		/** Beyond this many queued reads, callers get the method's publisher uncached. */
		private static final int QUEUED_READS = 100_000;

		private static final int IDLE_SECONDS = 60;

		static AutoCloseable register(ReturnHandler[] handlers) {
			// A pool of its own: reads block on it while the method's publisher runs, which
			// must not wait for the same threads (as it might on Reactor's shared pool).
			Scheduler scheduler = Schedulers.newBoundedElastic(THREADS, QUEUED_READS, "tiered-cache-reactive",
					IDLE_SECONDS, true);
			handlers[ReturnKind.MONO.ordinal()] = new MonoReturnHandler(scheduler);
			handlers[ReturnKind.FLUX.ordinal()] = new FluxReturnHandler(scheduler);
			return scheduler::dispose;
		}

	}

}
