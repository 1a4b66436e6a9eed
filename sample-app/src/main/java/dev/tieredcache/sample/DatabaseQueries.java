package dev.tieredcache.sample;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.stereotype.Component;

/**
 * Runs every query of the {@link DirectoryRepository}: counts it by name and adds the
 * configured {@code sample.db-latency}, so that the tour can show, and the tests assert,
 * how often the database was really queried.
 *
 * <p>The counts are also published as the {@code sample.db.queries} meter, tagged by
 * query. Thread-safe.
 */
@Component
public class DatabaseQueries implements MeterBinder {

	private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

	private final Duration latency;

	private volatile MeterRegistry registry;

	public DatabaseQueries(SampleProperties properties) {
		this.latency = properties.getDbLatency();
	}

	/**
	 * Counts a query, waits the artificial latency and runs it.
	 * @param <T> the query's result type
	 * @param name the query's name, such as {@code user}
	 * @param query the query
	 * @return its result
	 */
	public <T> T run(String name, Supplier<T> query) {
		counter(name).incrementAndGet();
		pause();
		return query.get();
	}

	/**
	 * Returns how many times a query ran since start-up.
	 * @param name the query's name
	 * @return the count
	 */
	public long count(String name) {
		AtomicLong count = this.counts.get(name);
		return (count != null) ? count.get() : 0;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.registry = registry;
		this.counts.forEach((name, count) -> register(registry, name, count));
	}

	private AtomicLong counter(String name) {
		AtomicLong count = this.counts.get(name);
		if (count != null) {
			return count;
		}
		return this.counts.computeIfAbsent(name, (n) -> {
			AtomicLong created = new AtomicLong();
			MeterRegistry registry = this.registry;
			if (registry != null) {
				register(registry, n, created);
			}
			return created;
		});
	}

	private static void register(MeterRegistry registry, String name, AtomicLong count) {
		FunctionCounter.builder("sample.db.queries", count, AtomicLong::get)
			.description("Queries the sample ran against its database")
			.tag("query", name)
			.register(registry);
	}

	private void pause() {
		if (this.latency.isZero() || this.latency.isNegative()) {
			return;
		}
		try {
			Thread.sleep(this.latency.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
