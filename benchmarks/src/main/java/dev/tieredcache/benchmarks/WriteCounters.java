package dev.tieredcache.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.jdbc.core.JdbcTemplate;

import dev.tieredcache.annotation.WriteBehind;
import dev.tieredcache.annotation.WriteThrough;

/**
 * The write side of {@link WriteBehindScenario}: one UPDATE of a row of table
 * {@code counters}, written directly with JDBC, through {@code @WriteThrough} and through
 * {@code @WriteBehind} (whose flush sends one JDBC batch of UPDATEs per batch of keys).
 * Counts the statements it sends to the database and the JDBC calls that send them (a
 * batch of statements is one call, sent in one exchange).
 */
public class WriteCounters {

	static final String UPDATE = "UPDATE counters SET value = ? WHERE id = ?";

	private final JdbcTemplate jdbc;

	private final AtomicLong statements = new AtomicLong();

	private final AtomicLong calls = new AtomicLong();

	public WriteCounters(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/** The floor: one UPDATE, nothing cached. */
	public void direct(long id, long value) {
		update(id, value);
	}

	/** The UPDATE, then the value stored in both tiers. */
	@WriteThrough(cache = "counters-through", key = "#id", value = "#value")
	public void writeThrough(long id, long value) {
		update(id, value);
	}

	/** Stored in both tiers and pending in Redis; flushed every {@code flush-interval}. */
	@WriteBehind(cache = "counters-behind", flushAll = "flushBehind")
	public void writeBehind(Long id, Long value) {
		update(id, value);
	}

	public void flushBehind(Map<Long, Long> values) {
		batch(values);
	}

	/** As {@link #writeBehind}, on a cache the scenario flushes itself, to count statements. */
	@WriteBehind(cache = "counters-counted", flushAll = "flushCounted")
	public void writeCounted(Long id, Long value) {
		update(id, value);
	}

	public void flushCounted(Map<Long, Long> values) {
		batch(values);
	}

	/** Returns the statements sent so far. */
	public long statements() {
		return this.statements.get();
	}

	/** Returns the JDBC calls so far (a batch is one). */
	public long calls() {
		return this.calls.get();
	}

	private void update(long id, long value) {
		this.jdbc.update(UPDATE, value, id);
		this.statements.incrementAndGet();
		this.calls.incrementAndGet();
	}

	private void batch(Map<Long, Long> values) {
		List<Object[]> rows = new ArrayList<>(values.size());
		values.forEach((id, value) -> rows.add(new Object[] { value, id }));
		this.jdbc.batchUpdate(UPDATE, rows);
		this.statements.addAndGet(rows.size());
		this.calls.incrementAndGet();
	}

}
