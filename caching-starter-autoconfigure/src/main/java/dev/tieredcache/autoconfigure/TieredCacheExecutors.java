package dev.tieredcache.autoconfigure;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The threads of the tiered cache: a small bounded pool for background refreshes (which
 * drops work when full: the entry is then refreshed by a later read or reloaded on
 * expiry), and a pool for the reads of {@code CompletableFuture} callers and of
 * {@code Cache.retrieve}. Both use daemon threads and stop with the application context.
 *
 * <p>The async pool runs up to {@value #ASYNC_THREADS} reads at once and queues up to
 * {@value #ASYNC_QUEUE_CAPACITY} more, so that callers get their future without waiting;
 * only beyond that does a caller run its read itself, as back-pressure.
 */
public final class TieredCacheExecutors implements DisposableBean {

	private static final int ASYNC_THREADS = 64;

	private static final int ASYNC_QUEUE_CAPACITY = 10_000;

	private final ThreadPoolExecutor refresh;

	private final ThreadPoolExecutor async;

	private final ThreadPoolExecutor versions;

	TieredCacheExecutors(int refreshThreads, int refreshQueueCapacity) {
		this.refresh = new ThreadPoolExecutor(refreshThreads, refreshThreads, 60, TimeUnit.SECONDS,
				new ArrayBlockingQueue<>(Math.max(1, refreshQueueCapacity)), daemon("tiered-cache-refresh-"),
				new ThreadPoolExecutor.AbortPolicy());
		this.refresh.allowCoreThreadTimeOut(true);
		this.async = new ThreadPoolExecutor(ASYNC_THREADS, ASYNC_THREADS, 60, TimeUnit.SECONDS,
				new LinkedBlockingQueue<>(ASYNC_QUEUE_CAPACITY), daemon("tiered-cache-async-"), TieredCacheExecutors::full);
		this.async.allowCoreThreadTimeOut(true);
		// Version re-reads each wait for Redis at most the command timeout: a thread of their
		// own keeps them off the common pool (and off the application's parallel streams).
		this.versions = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
				daemon("tiered-cache-versions-"));
		this.versions.allowCoreThreadTimeOut(true);
	}

	/** Runs a read on its caller's thread when the queue is full; refuses it once stopped. */
	private static void full(Runnable read, ThreadPoolExecutor executor) {
		if (executor.isShutdown()) {
			throw new RejectedExecutionException("The tiered cache's async pool is stopped");
		}
		read.run();
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
