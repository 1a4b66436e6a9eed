package dev.tieredcache.sample;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

import dev.tieredcache.annotation.WriteBehind;

/**
 * "Last seen" times, written behind: a hot, write-heavy value the database need not take
 * every write of. {@link #seen} stores the time in the {@code last-seen} cache and records it
 * as pending in Redis, then returns; the flusher later calls {@link #saveAll} with the latest
 * time of each user, up to {@code batch-size} users at a time, as one JDBC batch of UPDATEs.
 * A user seen a hundred times between two flushes costs one row update.
 *
 * <p>The UPDATE is idempotent and guards order ({@code last_seen < ?}): a flush retried, or
 * one delayed past its claim by a long pause, never moves a user's time backwards.
 */
@Service
public class LastSeenService {

	private final JdbcTemplate jdbc;

	private final DatabaseQueries queries;

	private final AtomicLong rowsUpdated = new AtomicLong();

	public LastSeenService(JdbcTemplate jdbc, DatabaseQueries queries) {
		this.jdbc = jdbc;
		this.queries = queries;
	}

	/**
	 * Records that a user was seen; reaches the database on the next flush.
	 * @param userId the user
	 * @param seen when
	 */
	@WriteBehind(cache = "last-seen", flushAll = "saveAll")
	public void seen(Long userId, Instant seen) {
		saveAll(Map.of(userId, seen));
	}

	/**
	 * Writes a batch of last-seen times: one JDBC batch, counted as one
	 * {@code last-seen} query.
	 * @param seen the latest time of each user
	 */
	public void saveAll(Map<Long, Instant> seen) {
		List<Object[]> rows = new ArrayList<>(seen.size());
		seen.forEach((id, at) -> rows.add(new Object[] { Timestamp.from(at), id, Timestamp.from(at) }));
		int[] updated = this.queries.run("last-seen", () -> this.jdbc.batchUpdate(
				"UPDATE users SET last_seen = ? WHERE id = ? AND (last_seen IS NULL OR last_seen < ?)", rows));
		for (int count : updated) {
			// Some drivers answer SUCCESS_NO_INFO (-2) for batched statements.
			this.rowsUpdated.addAndGet(Math.max(count, 0));
		}
	}

	/**
	 * Reads a user's last-seen time from the database (not the cache).
	 * @param userId the user
	 * @return the time, or null if never seen or not flushed yet
	 */
	public Instant storedLastSeen(long userId) {
		List<Timestamp> found = this.jdbc.queryForList("SELECT last_seen FROM users WHERE id = ?", Timestamp.class,
				userId);
		return (found.isEmpty() || found.get(0) == null) ? null : found.get(0).toInstant();
	}

	/** Returns how many rows the flushes updated since start-up. */
	public long rowsUpdated() {
		return this.rowsUpdated.get();
	}

}
