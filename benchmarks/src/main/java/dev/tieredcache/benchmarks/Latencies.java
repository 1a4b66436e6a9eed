package dev.tieredcache.benchmarks;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Summary of measured durations: percentiles by sorting (nearest rank), in milliseconds.
 */
final class Latencies {

	private Latencies() {
	}

	/**
	 * Summarizes durations.
	 * @param nanos the durations in nanoseconds
	 * @return count, p50, p99, max and mean in milliseconds
	 */
	static Map<String, Object> summary(long[] nanos) {
		long[] sorted = nanos.clone();
		Arrays.sort(sorted);
		Map<String, Object> summary = new LinkedHashMap<>();
		summary.put("count", sorted.length);
		summary.put("p50Ms", millis(percentile(sorted, 50)));
		summary.put("p99Ms", millis(percentile(sorted, 99)));
		summary.put("maxMs", millis((sorted.length > 0) ? sorted[sorted.length - 1] : 0));
		summary.put("meanMs", millis((long) Arrays.stream(sorted).average().orElse(0)));
		return summary;
	}

	static long percentile(long[] sorted, double p) {
		if (sorted.length == 0) {
			return 0;
		}
		int rank = (int) Math.ceil(p / 100.0 * sorted.length);
		return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
	}

	static double millis(long nanos) {
		return Math.round(nanos / 1_000.0) / 1_000.0;
	}

}
