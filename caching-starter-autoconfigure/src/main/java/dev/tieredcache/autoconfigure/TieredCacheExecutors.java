package dev.tieredcache.autoconfigure;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The threads of the tiered cache: a small bounded pool for background refreshes (which
 * drops work when full: the entry is then refreshed by a later read or reloaded on
 * expiry), and an elastic pool for the loads of {@code CompletableFuture} callers. Both
 * use daemon threads and stop with the application context.
 */
public final class TieredCacheExecutors implements DisposableBean {

	private final ThreadPoolExecutor refresh;

	private final ThreadPoolExecutor async;

	private final ThreadPoolExecutor versions;

	TieredCacheExecutors(int refreshThreads, int refreshQueueCapacity) {
		this.refresh = new ThreadPoolExecutor(refreshThreads, refreshThreads, 60, TimeUnit.SECONDS,
				new ArrayBlockingQueue<>(Math.max(1, refreshQueueCapacity)), daemon("tiered-cache-refresh-"),
				new ThreadPoolExecutor.AbortPolicy());
		this.refresh.allowCoreThreadTimeOut(true);
		this.async = new ThreadPoolExecutor(0, 64, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
				daemon("tiered-cache-async-"), TieredCacheExecutors::runInCallerUnlessShutDown);
		// Version re-reads each wait for Redis at most the command timeout: a thread of their
		// own keeps them off the common pool (and off the application's parallel streams).
		this.versions = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
				daemon("tiered-cache-versions-"));
		this.versions.allowCoreThreadTimeOut(true);
	}

	/**
	 * Runs the task on the submitting thread when every thread is busy; once shut down,
	 * refuses it, so that a future waiting for it fails at once instead of never completing
	 * (the caller-runs policy of the JDK silently drops it then).
	 */
	private static void runInCallerUnlessShutDown(Runnable task, ThreadPoolExecutor executor) {
		if (executor.isShutdown()) {
			throw new RejectedExecutionException("The tiered cache is shutting down");
		}
		task.run();
	}

	private static CustomizableThreadFactory daemon(String prefix) {
		CustomizableThreadFactory factory = new CustomizableThreadFactory(prefix);
		factory.setDaemon(true);
		return factory;
	}

	/** Returns the executor of background refreshes. */
	public ExecutorService refresh() {
		return this.refresh;
	}

	/** Returns the executor of background re-reads of tag, group and cache versions. */
	public ExecutorService versions() {
		return this.versions;
	}

	/** Returns the executor of asynchronous loads. */
	public ExecutorService async() {
		return this.async;
	}

	@Override
	public void destroy() throws InterruptedException {
		// Work in flight finishes (each Redis command is bounded by its timeout); what is
		// submitted from now on is refused, so no caller waits for a task that never runs.
		this.refresh.shutdown();
		this.async.shutdown();
		this.versions.shutdown();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		for (ThreadPoolExecutor executor : new ThreadPoolExecutor[] { this.refresh, this.async, this.versions }) {
			if (!executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
				executor.shutdownNow();
			}
		}
	}

}
