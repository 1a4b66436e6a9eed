package dev.tieredcache.existence;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

import dev.tieredcache.existence.ExistenceFilter.Outcome;
import dev.tieredcache.existence.ExistenceFilter.Rebuild;
import dev.tieredcache.redis.RedisUnavailableException;

/**
 * The existence filters of every cache that has one, each with the {@link ExistingKeys} it
 * is built from. Builds each filter in the background at start-up when Redis holds none
 * (one instance builds it: the others find it busy or present), again when a read finds it
 * missing (evicted, flushed; at most once a minute per cache), and on demand
 * ({@link #rebuild}, the {@code tieredcache} endpoint). Replays the adds Redis did not take
 * ({@link #replay}).
 */
public final class ExistenceFilters implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(ExistenceFilters.class);

	/** Shortest time between two rebuilds one instance starts because a filter is missing. */
	static final long MISSING_REBUILD_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

	private final Map<String, Guarded> filters;

	private final Map<String, AtomicLong> lastAutomaticBuild = new ConcurrentHashMap<>();

	private final LongSupplier nanoClock;

	private volatile ExecutorService builder;

	private volatile boolean running;

	/**
	 * Creates the registry.
	 * @param filters every guarded cache, by name
	 */
	public ExistenceFilters(Map<String, Guarded> filters) {
		this(filters, System::nanoTime);
	}

	ExistenceFilters(Map<String, Guarded> filters, LongSupplier nanoClock) {
		this.filters = Map.copyOf(filters);
		this.nanoClock = nanoClock;
		this.builder = newBuilder();
		this.filters.values().forEach((guarded) -> guarded.filter().onMissing(() -> rebuildMissing(guarded)));
	}

	private static ExecutorService newBuilder() {
		CustomizableThreadFactory threads = new CustomizableThreadFactory("tiered-cache-existence-");
		threads.setDaemon(true);
		return Executors.newSingleThreadExecutor(threads);
	}

	/**
	 * Returns the filter of a cache.
	 * @param cache the cache name
	 * @return the filter, or null if the cache has none
	 */
	public @Nullable ExistenceFilter filter(String cache) {
		Guarded guarded = this.filters.get(cache);
		return (guarded != null) ? guarded.filter() : null;
	}

	/**
	 * Rebuilds a cache's filter from its {@link ExistingKeys} now, on the calling thread;
	 * keys written meanwhile are kept.
	 * @param cache the cache name
	 * @return the outcome, or null if the cache has no filter
	 * @throws RedisUnavailableException if Redis failed; the current filter stays
	 */
	public @Nullable Rebuild rebuild(String cache) {
		Guarded guarded = this.filters.get(cache);
		return (guarded != null) ? build(guarded, false) : null;
	}

	/**
	 * Replays, for every filter, the adds Redis did not take.
	 * @throws RedisUnavailableException if Redis did not take them all
	 */
	public void replay() {
		RedisUnavailableException failure = null;
		for (Guarded guarded : this.filters.values()) {
			try {
				guarded.filter().replay();
			}
			catch (RedisUnavailableException ex) {
				failure = ex;
			}
		}
		if (failure != null) {
			throw failure;
		}
	}

	private Rebuild build(Guarded guarded, boolean onlyIfMissing) {
		// Closing the mapped stream closes the source's (a stream's close handlers are shared).
		Supplier<Stream<String>> keys = () -> guarded.source().keys().map(guarded.encoder());
		return guarded.filter().rebuild(keys, onlyIfMissing);
	}

	/** A read found no filter: build it in the background, at most once a minute. */
	private void rebuildMissing(Guarded guarded) {
		if (!this.running) {
			return;
		}
		AtomicLong last = this.lastAutomaticBuild.computeIfAbsent(guarded.filter().cacheName(),
				(name) -> new AtomicLong(this.nanoClock.getAsLong() - MISSING_REBUILD_INTERVAL_NANOS));
		long seen = last.get();
		long now = this.nanoClock.getAsLong();
		if (now - seen < MISSING_REBUILD_INTERVAL_NANOS || !last.compareAndSet(seen, now)) {
			return;
		}
		buildInBackground(guarded);
	}

	private void buildInBackground(Guarded guarded) {
		String cache = guarded.filter().cacheName();
		try {
			this.builder.execute(() -> {
				try {
					Rebuild rebuild = build(guarded, true);
					if (rebuild.outcome() == Outcome.REBUILT) {
						logger.info("Built the existence filter of cache '" + cache + "' from " + rebuild.keys()
								+ " keys");
					}
				}
				catch (RedisUnavailableException ex) {
					logger.warn("The existence filter of cache '" + cache + "' could not be built: Redis is "
							+ "unreachable; every miss goes to the loader until it is");
				}
				catch (RuntimeException ex) {
					// The exception at DEBUG only: its message may name a key.
					logger.warn("The existence filter of cache '" + cache + "' could not be built: its ExistingKeys "
							+ "or a key's encoding failed (" + ex.getClass().getName() + "); every miss goes to the "
							+ "loader until it is");
					logger.debug("Building the existence filter of cache '" + cache + "' failed", ex);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			// Stopping.
		}
	}

	/** Builds every filter Redis does not hold yet, in the background. */
	@Override
	public void start() {
		if (this.builder.isShutdown()) {
			this.builder = newBuilder();
		}
		this.running = true;
		for (Guarded guarded : this.filters.values()) {
			buildInBackground(guarded);
		}
	}

	@Override
	public void stop() {
		this.running = false;
		this.builder.shutdownNow();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * One cache's filter and where its keys come from.
	 * @param filter the filter
	 * @param source the keys that exist
	 * @param encoder turns a key of the source into the cache's encoded key
	 */
	public record Guarded(ExistenceFilter filter, ExistingKeys source, Function<Object, String> encoder) {
	}

}
