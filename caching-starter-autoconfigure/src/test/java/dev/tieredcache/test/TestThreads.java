package dev.tieredcache.test;

import java.util.concurrent.Executor;

/**
 * Runs each task on a thread of its own, for tests that start concurrent callers with
 * {@code CompletableFuture.supplyAsync}. The default async pool, the common
 * {@code ForkJoinPool}, may have a single thread on a two-core machine (depending on the
 * JDK), where a caller blocked on a latch would hold back every other caller of the test.
 */
public final class TestThreads {

	/** A new daemon thread per task. */
	public static final Executor EACH_ON_ITS_OWN = (task) -> {
		Thread thread = new Thread(task, "test-caller");
		thread.setDaemon(true);
		thread.start();
	};

	private TestThreads() {
	}

}
