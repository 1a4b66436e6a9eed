package dev.tieredcache.sample;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import org.springframework.boot.SpringApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The sample application as {@link WriteBehindKillTests} runs it in a process of its own:
 * the same application, plus two test-only things (this class carries no stereotype, so
 * the sample's component scan never picks it up in other tests):
 * <ul>
 * <li>{@code POST /test/users/{id}/seen/{version}} records a last-seen time that is an
 * explicit version ({@link #BASE} plus the version, in seconds) through the same
 * {@code @WriteBehind} method as {@code POST /users/{id}/seen}, so that the test knows the
 * last value of every key;</li>
 * <li>the flush, {@code saveAll}, runs the sample's own order-guarded UPDATE inside a
 * transaction that also records every flushed (user, version) in {@code last_seen_audit}:
 * what a flush sent and committed, including values the guard refused. Killed mid-flush,
 * the transaction rolls back with its audit rows. {@code GET /test/flushes} answers how
 * many flush calls started and which users the last one flushes.</li>
 * </ul>
 * The flush is slowed down with the sample's own {@code sample.db-latency}, which
 * {@code saveAll} waits before its UPDATE.
 */
public class KillableSample {

	/** The last-seen time of version 0, in epoch seconds. */
	static final long BASE = 1_700_000_000L;

	public static void main(String[] args) {
		SpringApplication.run(new Class<?>[] { SampleApplication.class, KillableSample.class }, args);
	}

	/** Replaces the sample's bean of the same name (bean definition overriding is on). */
	@Bean
	LastSeenService lastSeenService(JdbcTemplate jdbc, DatabaseQueries queries,
			PlatformTransactionManager transactions) {
		return new AuditedLastSeenService(jdbc, queries, new TransactionTemplate(transactions));
	}

	@Bean
	RouterFunction<ServerResponse> killTestRoutes(LastSeenService lastSeen) {
		AuditedLastSeenService audited = (AuditedLastSeenService) lastSeen;
		return RouterFunctions.route()
			.POST("/test/users/{id}/seen/{version}", (request) -> {
				long id = Long.parseLong(request.pathVariable("id"));
				long version = Long.parseLong(request.pathVariable("version"));
				lastSeen.seen(id, Instant.ofEpochSecond(BASE + version));
				return ServerResponse.accepted().build();
			})
			.GET("/test/flushes", (request) -> ServerResponse.ok().body(audited.lastStarted()))
			.build();
	}

	/**
	 * The sample's flush, audited. Locks the batch's rows first (in id order), so that two
	 * flushes of one user commit one after the other and the audit's ids follow that order.
	 */
	static class AuditedLastSeenService extends LastSeenService {

		private final JdbcTemplate jdbc;

		private final TransactionTemplate transactions;

		private final AtomicLong started = new AtomicLong();

		private volatile String lastStarted = "0 ";

		AuditedLastSeenService(JdbcTemplate jdbc, DatabaseQueries queries, TransactionTemplate transactions) {
			super(jdbc, queries);
			this.jdbc = jdbc;
			this.transactions = transactions;
		}

		/**
		 * Returns how many flush calls started, then the users of the last one:
		 * {@code "3 17,42,..."}. A method, not a field: the bean is a proxy.
		 */
		public String lastStarted() {
			return this.lastStarted;
		}

		@Override
		public void saveAll(Map<Long, Instant> seen) {
			this.transactions.executeWithoutResult((status) -> {
				this.jdbc.queryForList("SELECT id FROM users WHERE id = ANY (?) ORDER BY id FOR UPDATE", Long.class,
						(Object) seen.keySet().toArray(new Long[0]));
				this.lastStarted = this.started.incrementAndGet() + " "
						+ seen.keySet().stream().map(String::valueOf).collect(Collectors.joining(","));
				super.saveAll(seen);
				List<Object[]> rows = new ArrayList<>(seen.size());
				seen.forEach((id, at) -> rows.add(new Object[] { id, at.getEpochSecond() - BASE }));
				this.jdbc.batchUpdate("INSERT INTO last_seen_audit (user_id, version, tx, app) "
						+ "VALUES (?, ?, txid_current(), current_setting('application_name'))", rows);
			});
		}

	}

}
