package dev.tieredcache.metrics;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * Reads meter values by name and tags, failing when the meter does not exist.
 */
final class MeterReader {

	private final MeterRegistry registry;

	MeterReader(MeterRegistry registry) {
		this.registry = registry;
	}

	double counter(String name, String... tags) {
		return this.registry.get(name).tags(tags).functionCounter().count();
	}

	double timerCount(String name, String... tags) {
		return this.registry.get(name).tags(tags).timer().count();
	}

	double timerTotalNanos(String name, String... tags) {
		return this.registry.get(name)
			.tags(tags)
			.timer()
			.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS);
	}

	double gauge(String name, String... tags) {
		return this.registry.get(name).tags(tags).gauge().value();
	}

	/** Sums every series of a counter with the given tags, whatever its other tags. */
	double sum(String name, String... tags) {
		return this.registry.get(name)
			.tags(tags)
			.functionCounters()
			.stream()
			.mapToDouble((counter) -> counter.count())
			.sum();
	}

}
