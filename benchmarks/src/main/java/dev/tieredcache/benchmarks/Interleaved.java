package dev.tieredcache.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Times contenders that take turns: in each turn every contender runs a batch of calls on
 * the same keys, in an order that rotates from turn to turn, and the batch's time per call
 * is one sample. A burst of load from elsewhere on a shared machine then lands on every
 * contender alike, so the ratios of the medians hold where JMH, which runs one contender
 * after the other, may favour one. Batches of many calls keep the clock's own cost (some
 * 20 ns) out of nanosecond-scale figures.
 */
final class Interleaved {

	private final List<String> names = new ArrayList<>();

	private final List<String> roles = new ArrayList<>();

	private final List<LongFunction<?>> calls = new ArrayList<>();

	/**
	 * Adds a contender.
	 * @param name its name in the results
	 * @param role {@code starter}, {@code peer}, {@code reference} or {@code floor}
	 * @param call one call for a key; must return non-null
	 * @return this
	 */
	Interleaved add(String name, String role, LongFunction<?> call) {
		this.names.add(name);
		this.roles.add(role);
		this.calls.add(call);
		return this;
	}

	/**
	 * Runs the turns.
	 * @param turns how many turns (samples per contender)
	 * @param batch calls per sample
	 * @param keys the calls use keys {@code 0 .. keys - 1}, cycled
	 * @return a row per contender: name, role, p50, p90 and p99 of the time per call in ns
	 */
	List<Map<String, Object>> run(int turns, int batch, int keys) {
		int n = this.calls.size();
		long[][] samples = new long[n][turns];
		long key = 0;
		for (int turn = 0; turn < turns; turn++) {
			long first = key;
			for (int step = 0; step < n; step++) {
				int c = (step + turn) % n;
				LongFunction<?> call = this.calls.get(c);
				long t0 = System.nanoTime();
				for (int i = 0; i < batch; i++) {
					if (call.apply((first + i) % keys) == null) {
						throw new IllegalStateException(this.names.get(c) + " returned null for key " + (first + i) % keys);
					}
				}
				samples[c][turn] = (System.nanoTime() - t0) / batch;
			}
			key = (first + batch) % keys;
		}
		List<Map<String, Object>> rows = new ArrayList<>();
		for (int c = 0; c < n; c++) {
			long[] sorted = samples[c].clone();
			Arrays.sort(sorted);
			Map<String, Object> row = new LinkedHashMap<>();
			row.put("name", this.names.get(c));
			row.put("role", this.roles.get(c));
			row.put("p50Ns", Latencies.percentile(sorted, 50));
			row.put("p90Ns", Latencies.percentile(sorted, 90));
			row.put("p99Ns", Latencies.percentile(sorted, 99));
			rows.add(row);
		}
		return rows;
	}

}
