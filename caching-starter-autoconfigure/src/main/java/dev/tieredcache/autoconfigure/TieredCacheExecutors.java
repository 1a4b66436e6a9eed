package dev.tieredcache.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.VirtualThreadTaskExecutor;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The threads of the tiered cache:
 *
 * <ul>
 * <li>{@link #refresh()}: a bounded pool for background refreshes (early refresh and
 * stale-while-revalidate). When its threads are busy and its queue is full, or once it is
 * shut down, it rejects the refresh: the stale or early value is still served, and the
 * entry is refreshed by a later read or reloaded on expiry.</li>
 * <li>{@link #async()}: a pool for the loads of {@code CompletableFuture} methods and of the
 * asynchronous {@code retrieve} methods. Beyond its threads a task runs on the thread that
 * submits it; once shut down it refuses the task, so that the future waiting for it fails
 * at once instead of never completing (the JDK's caller-runs policy silently drops it
 * then).</li>
 * <li>{@link #versions()}: one thread for the background re-reads of tag, group and cache
 * versions, each bounded by the command timeout, kept off the common pool (and off the
 * application's parallel streams).</li>
 * </ul>
 *
 * They run on virtual threads when asked to (Spring Boot's
 * {@code spring.threads.virtual.enabled=true} on Java 21+), on daemon platform threads
 * otherwise. The refresh and async pools wrap each task with the application's
 * {@link TaskDecorator}, if any (for example Spring's
 * {@code ContextPropagatingTaskDecorator}, which carries the caller's MDC, trace and
 * security context into the task).
 *
 * <p>On {@link #destroy()} (when the application context closes, before the Redis
 * connection), every pool stops taking work and the work under way is given the shutdown
 * timeout to finish; past it, running tasks are interrupted and tasks that had not started
 * are dropped, which is logged with their number. Thread-safe.
 */
public final class TieredCacheExecutors implements DisposableBean {

	private static final Log logger = LogFactory.getLog(TieredCacheExecutors.class);

	private static final int ASYNC_QUEUE_CAPACITY = 10_000;

	private final ThreadPoolExecutor refresh;

	private final ThreadPoolExecutor async;

	private final ThreadPoolExecutor versions;

	private final Duration shutdownTimeout;

	/**
	 * Creates the executors.
	 * @param refreshThreads threads that run background refreshes
	 * @param refreshQueueCapacity refreshes that may wait for a thread
	 * @param asyncThreads threads that run asynchronous loads
	 * @param virtualThreads whether to use virtual threads (Java 21+)
	 * @param shutdownTimeout how long the work under way may take to finish at shutdown
	 * @param decorator wraps every refresh and asynchronous load, or null
	 */
	public TieredCacheExecutors(int refreshThreads, int refreshQueueCapacity, int asyncThreads,
			boolean virtualThreads, Duration shutdownTimeout, @Nullable TaskDecorator decorator) {
		this.refresh = new DecoratingExecutor(refreshThreads, refreshThreads,
				new ArrayBlockingQueue<>(Math.max(1, refreshQueueCapacity)),
				threads("tiered-cache-refresh-", virtualThreads), new ThreadPoolExecutor.AbortPolicy(), decorator);
		// Reads queue up behind the threads, so that a caller gets its future without waiting;
		// only past the queue does it run its read itself, as back-pressure.
		this.async = new DecoratingExecutor(asyncThreads, asyncThreads, new LinkedBlockingQueue<>(ASYNC_QUEUE_CAPACITY),
				threads("tiered-cache-async-", virtualThreads), TieredCacheExecutors::runInCallerUnlessShutDown,
				decorator);
		this.versions = new DecoratingExecutor(1, 1, new LinkedBlockingQueue<>(),
				threads("tiered-cache-versions-", virtualThreads), new ThreadPoolExecutor.AbortPolicy(), null);
		this.shutdownTimeout = shutdownTimeout;
	}

	private static void runInCallerUnlessShutDown(Runnable task, ThreadPoolExecutor executor) {
		if (executor.isShutdown()) {
			throw new RejectedExecutionException("The tiered cache is shutting down");
		}
		task.run();
	}

	private static ThreadFactory threads(String prefix, boolean virtual) {
		if (virtual) {
			return new VirtualThreadTaskExecutor(prefix).getVirtualThreadFactory();
		}
		CustomizableThreadFactory factory = new CustomizableThreadFactory(prefix);
		factory.setDaemon(true);
		return factory;
	}

	/** Returns the executor of background refreshes; it may reject a task. */
	public ExecutorService refresh() {
		return this.refresh;
	}

	/** Returns the executor of background re-reads of tag, group and cache versions. */
	public ExecutorService versions() {
		return this.versions;
	}

	/** Returns the executor of asynchronous loads; it rejects a task only once shut down. */
	public ExecutorService async() {
		return this.async;
	}

	/**
	 * Stops every pool: no new work starts on their threads, and the work under way has the
	 * shutdown timeout, shared by all, to finish before it is interrupted.
	 */
	@Override
	public void destroy() throws InterruptedException {
		this.refresh.shutdown();
		this.async.shutdown();
		this.versions.shutdown();
		long deadline = System.nanoTime() + this.shutdownTimeout.toNanos();
		awaitOrStop(this.refresh, "background refreshes", deadline);
		awaitOrStop(this.async, "asynchronous loads", deadline);
		awaitOrStop(this.versions, "version re-reads", deadline);
	}

	private void awaitOrStop(ThreadPoolExecutor executor, String work, long deadline) throws InterruptedException {
		if (executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
			return;
		}
		int running = executor.getActiveCount();
		List<Runnable> dropped = executor.shutdownNow();
		logger.warn("The tiered cache's " + work + " did not finish within the shutdown timeout ("
				+ this.shutdownTimeout.toMillis() + " ms): " + running + " interrupted, " + dropped.size()
				+ " not started dropped");
	}

	/** A pool that wraps each task with the application's decorator, if any. */
	private static final class DecoratingExecutor extends ThreadPoolExecutor {

		private final @Nullable TaskDecorator decorator;

		DecoratingExecutor(int core, int max, BlockingQueue<Runnable> queue, ThreadFactory threads,
				RejectedExecutionHandler rejection, @Nullable TaskDecorator decorator) {
			super(core, max, 60, TimeUnit.SECONDS, queue, threads, rejection);
			this.decorator = decorator;
			allowCoreThreadTimeOut(true);
		}

		@Override
		public void execute(Runnable task) {
			super.execute((this.decorator != null) ? this.decorator.decorate(task) : task);
		}

	}

}
