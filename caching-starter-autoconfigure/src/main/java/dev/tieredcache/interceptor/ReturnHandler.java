package dev.tieredcache.interceptor;

import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * What the interceptor does differently for one {@link ReturnKind}: how the value to cache
 * is taken from what the method returned, how a cached value is handed back, on which
 * thread a read-through runs and when the cache changes that follow the method happen.
 *
 * <p>This base class is the synchronous behaviour: everything runs on the calling thread.
 * Handlers of asynchronous kinds override it so that the caller gets a future or a
 * publisher at once and nothing that may block (Redis, a lock wait, the method's own
 * value) runs on the caller's thread. Handlers are stateless apart from the pool they run
 * reads on, and thread-safe.
 */
abstract class ReturnHandler {

	/**
	 * Returns the value to cache from what the method returned, waiting for it if it is
	 * asynchronous: only called on a thread that may block (a pool thread for the
	 * asynchronous kinds).
	 * @param returned what the method returned
	 * @return the value to cache
	 * @throws Throwable the method's own failure, if its future or publisher failed
	 */
	abstract @Nullable Object await(@Nullable Object returned) throws Throwable;

	/**
	 * Returns what the caller expects for a cached value.
	 * @param value the cached value
	 * @return the value as the method's return type
	 */
	abstract @Nullable Object wrap(@Nullable Object value);

	/**
	 * Whether the caller gets its answer only when the read is done. Asynchronous kinds
	 * answer an L1 hit at once and hand everything else to {@link #read}.
	 * @return whether reads run on the calling thread
	 */
	boolean isSynchronous() {
		return true;
	}

	/**
	 * Returns what the caller gets for a call that L1 did not answer.
	 * @param read the read, ready to run
	 * @return the method's return value: the value itself, or a future or publisher of it
	 * @throws Throwable the method's own failure, for synchronous kinds
	 */
	@Nullable Object read(PendingRead read) throws Throwable {
		return wrap(read.readThrough(this::await));
	}

	/**
	 * Runs the cache changes that follow a normal return once the method's value is there,
	 * and returns what the caller gets: a synchronous result after the changes, an
	 * asynchronous one that completes after them.
	 * @param returned what the method returned (or what the read returned)
	 * @param changes the writes, invalidations and bumps, given the value
	 * @return the method's return value
	 * @throws Throwable the method's own failure
	 */
	@Nullable Object afterReturning(@Nullable Object returned, Consumer<@Nullable Object> changes) throws Throwable {
		changes.accept(await(returned));
		return returned;
	}

	/**
	 * Runs the cache changes that precede the method, then the call.
	 * @param changes the invalidations with {@code beforeInvocation}
	 * @param call the call (method or read)
	 * @return the method's return value
	 * @throws Throwable the method's own failure
	 */
	@Nullable Object beforeInvocation(Runnable changes, Call call) throws Throwable {
		changes.run();
		return call.proceed();
	}

	/** A call of the method, possibly through the cache. */
	@FunctionalInterface
	interface Call {

		@Nullable Object proceed() throws Throwable;

	}

	/** Waits for the value to cache in what the method returned. */
	@FunctionalInterface
	interface ValueAwait {

		@Nullable Object await(@Nullable Object returned) throws Throwable;

	}

	/** One read-through of one call, run on the thread its handler chooses. */
	interface PendingRead {

		/**
		 * Reads through the cache on the current thread, which may block; on a miss the
		 * method is called once and its value awaited with the given function.
		 * @param await takes the value to cache from what the method returned
		 * @return the cached or loaded value
		 * @throws Throwable the method's own failure
		 */
		@Nullable Object readThrough(ValueAwait await) throws Throwable;

		/**
		 * Calls the method without the cache, for when no thread is free to read through
		 * it; the call counts as the method's one call.
		 * @return what the method returned
		 * @throws Throwable the method's own failure
		 */
		@Nullable Object uncached() throws Throwable;

	}

}
