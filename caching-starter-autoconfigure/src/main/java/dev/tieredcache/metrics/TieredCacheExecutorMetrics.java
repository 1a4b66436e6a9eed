package dev.tieredcache.metrics;

import java.util.concurrent.ExecutorService;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;

/**
 * Binds Micrometer's executor meters ({@code executor.active}, {@code executor.queued},
 * {@code executor.queue.remaining}, {@code executor.completed}, {@code executor.pool.*}) for
 * the tiered cache's two pools, under the names {@value #REFRESH} and {@value #ASYNC} (tag
 * {@code name}), as Spring Boot does for its own task executors: a refresh queue that stays
 * full means refreshes are being dropped.
 */
public class TieredCacheExecutorMetrics implements MeterBinder {

	/** The {@code name} tag of the background refresh pool. */
	public static final String REFRESH = "tieredCacheRefresh";

	/** The {@code name} tag of the asynchronous load pool. */
	public static final String ASYNC = "tieredCacheAsync";

	private final ExecutorService refresh;

	private final ExecutorService async;

	private final Tags tags;

	/**
	 * Creates the binder.
	 * @param refresh the background refresh pool
	 * @param async the asynchronous load pool
	 * @param tags further tags of every meter
	 */
	public TieredCacheExecutorMetrics(ExecutorService refresh, ExecutorService async, Iterable<Tag> tags) {
		this.refresh = refresh;
		this.async = async;
		this.tags = Tags.of(tags);
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		new ExecutorServiceMetrics(this.refresh, REFRESH, this.tags).bindTo(registry);
		new ExecutorServiceMetrics(this.async, ASYNC, this.tags).bindTo(registry);
	}

}
