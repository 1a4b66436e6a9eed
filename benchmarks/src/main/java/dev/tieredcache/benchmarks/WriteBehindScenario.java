package dev.tieredcache.benchmarks;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import com.zaxxer.hikari.HikariDataSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.tieredcache.writebehind.WriteBehindFlusher;

/**
 * Write-behind (issue 14) against PostgreSQL: the time of one call that writes a row through
 * {@code @WriteBehind}, through {@code @WriteThrough} and as a direct JDBC UPDATE (the floor:
 * what the database alone costs), the three taking turns ({@link Interleaved}); then the
 * database statements that 1,000 writes cost on each path, with 1,000 distinct keys (nothing
 * to coalesce) and with 100 and 10 hot keys (writes of one key between two flushes coalesced
 * into one UPDATE).
 *
 * <p>The write-behind cache timed has {@code flush-interval=200ms}: its flusher runs during
 * the timing, as in an application. The one counted is flushed by the scenario (its
 * {@code flush-interval} is an hour), after the 1,000 writes, so that the counts do not
 * depend on the machine's speed. A table {@code counters} in a PostgreSQL schema of the
 * run's own ({@code -Dbench.postgres.url}, default {@code jdbc:postgresql://127.0.0.1:5432/test},
 * user {@code postgres}), dropped at the end.
 */
final class WriteBehindScenario {

	static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test";

	private static final int ROWS = 1_000;

	private static final int WRITES = 1_000;

	private final int port;

	private final int turns;

	private final int batch;

	/**
	 * Creates the scenario.
	 * @param port the Redis port
	 * @param turns samples per contender of the call time
	 * @param batch calls per sample
	 */
	WriteBehindScenario(int port, int turns, int batch) {
		this.port = port;
		this.turns = turns;
		this.batch = batch;
	}

	Map<String, Object> run() throws Exception {
		String url = System.getProperty("bench.postgres.url", DEFAULT_URL);
		String schema = "bench_wb_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
		String prefix = RedisAccess.uniquePrefix("write-behind");
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("rows", ROWS);
		result.put("writes", WRITES);
		result.put("latencySamples", this.turns);
		result.put("latencyCallsPerSample", this.batch);
		execute(url, "CREATE SCHEMA " + schema);
		try (HikariDataSource dataSource = dataSource(url, schema); RedisAccess redis = new RedisAccess(this.port)) {
			JdbcTemplate jdbc = new JdbcTemplate(dataSource);
			jdbc.execute("CREATE TABLE counters (id BIGINT PRIMARY KEY, value BIGINT NOT NULL)");
			jdbc.update("INSERT INTO counters (id, value) SELECT g, 0 FROM generate_series(0, ?) g", ROWS - 1);
			result.put("postgresVersion", jdbc.queryForObject("SHOW server_version", String.class));
			ConfigurableApplicationContext context = Instances.writer(this.port, prefix, dataSource,
					"tiered-cache.defaults.write-behind.batch-size=100",
					"tiered-cache.caches.counters-behind.write-behind.flush-interval=200ms",
					"tiered-cache.caches.counters-counted.write-behind.flush-interval=1h");
			try {
				WriteCounters counters = context.getBean(WriteCounters.class);
				WriteBehindFlusher flusher = context.getBean(WriteBehindFlusher.class);
				result.put("latency", latency(counters));
				flusher.flushDue("counters-behind");
				result.put("statements", statements(counters, flusher, jdbc));
			}
			finally {
				context.close();
				redis.deletePrefix(prefix);
			}
		}
		finally {
			execute(url, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
		}
		return result;
	}

	private List<Map<String, Object>> latency(WriteCounters counters) {
		AtomicLong value = new AtomicLong();
		Interleaved calls = new Interleaved()
			.add("WriteBehind", "starter", (key) -> {
				counters.writeBehind(key, value.incrementAndGet());
				return Boolean.TRUE;
			})
			.add("WriteThrough", "starter", (key) -> {
				counters.writeThrough(key, value.incrementAndGet());
				return Boolean.TRUE;
			})
			.add("Jdbc", "floor", (key) -> {
				counters.direct(key, value.incrementAndGet());
				return Boolean.TRUE;
			});
		// A first round warms every path up (JIT, pools, scripts loaded), untimed.
		calls.run(Math.max(2, this.turns / 10), this.batch, ROWS);
		return calls.run(this.turns, this.batch, ROWS);
	}

	/** Statements and JDBC calls per 1,000 writes on each path. */
	private List<Map<String, Object>> statements(WriteCounters counters, WriteBehindFlusher flusher,
			JdbcTemplate jdbc) {
		List<Map<String, Object>> rows = new ArrayList<>();
		rows.add(count("Jdbc", ROWS, counters, () -> {
			for (int i = 0; i < WRITES; i++) {
				counters.direct(i % ROWS, -i);
			}
		}, jdbc, WRITES - 1));
		rows.add(count("WriteThrough", ROWS, counters, () -> {
			for (int i = 0; i < WRITES; i++) {
				counters.writeThrough(i % ROWS, -i);
			}
		}, jdbc, WRITES - 1));
		for (int keys : new int[] { ROWS, 100, 10 }) {
			rows.add(count("WriteBehind", keys, counters, () -> {
				for (int i = 0; i < WRITES; i++) {
					counters.writeCounted((long) (i % keys), (long) -i);
				}
				flusher.flushDue("counters-counted");
			}, jdbc, WRITES - 1));
		}
		return rows;
	}

	/**
	 * Runs 1,000 writes over {@code keys} keys (write {@code i} sets key {@code i % keys} to
	 * {@code -i}) and counts what reached the database; checks that every key holds its last
	 * value.
	 */
	private static Map<String, Object> count(String name, int keys, WriteCounters counters, Runnable writes,
			JdbcTemplate jdbc, int lastWrite) {
		jdbc.update("UPDATE counters SET value = 0");
		long statements = counters.statements();
		long calls = counters.calls();
		writes.run();
		Map<String, Object> row = new LinkedHashMap<>();
		row.put("name", name);
		row.put("keys", keys);
		row.put("statementsPer1000Writes", (counters.statements() - statements) * 1000.0 / WRITES);
		row.put("jdbcCallsPer1000Writes", (counters.calls() - calls) * 1000.0 / WRITES);
		// Key k's last write is the largest i with i % keys == k.
		Long wrong = jdbc.queryForObject(
				"SELECT count(*) FROM counters WHERE id < ? AND value <> -(? - ((? - id) % ?))", Long.class, keys,
				lastWrite, lastWrite, keys);
		row.put("lastValuesInDatabase", wrong != null && wrong == 0);
		return row;
	}

	private static HikariDataSource dataSource(String url, String schema) {
		HikariDataSource dataSource = new HikariDataSource();
		dataSource.setJdbcUrl(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema);
		dataSource.setUsername(System.getProperty("bench.postgres.user", "postgres"));
		dataSource.setPassword(System.getProperty("bench.postgres.password", ""));
		dataSource.setMaximumPoolSize(4);
		return dataSource;
	}

	private static void execute(String url, String sql) throws SQLException {
		try (Connection connection = DriverManager.getConnection(url,
				System.getProperty("bench.postgres.user", "postgres"),
				System.getProperty("bench.postgres.password", ""));
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

}
