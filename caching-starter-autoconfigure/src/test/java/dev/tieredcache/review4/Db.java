package dev.tieredcache.review4;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

import dev.tieredcache.annotation.WriteBehind;
import dev.tieredcache.annotation.WriteMode;
import dev.tieredcache.annotation.WriteThrough;

/**
 * review4: a stand-in database shared by the instances of a test: every value written per
 * key, in the order the writes landed (the audit), plus knobs to fail or hold writes.
 */
final class Db {

	/** What the audit records for a deleted row. */
	static final long DELETED = -1;

	final Map<String, List<Long>> audit = new ConcurrentHashMap<>();

	/** Values whose write throws. */
	volatile LongPredicate failing = (v) -> false;

	/** When set, a write of this value waits on {@link #release} before it lands. */
	volatile long hold = Long.MIN_VALUE;

	final CountDownLatch holding = new CountDownLatch(1);

	final CountDownLatch release = new CountDownLatch(1);

	void write(String key, long value) {
		if (value == this.hold) {
			this.holding.countDown();
			try {
				this.release.await(20, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		if (this.failing.test(value)) {
			throw new IllegalStateException("database refuses");
		}
		List<Long> values = this.audit.computeIfAbsent(key, (k) -> new ArrayList<>());
		synchronized (values) {
			values.add(value);
		}
	}

	List<Long> audit(String key) {
		List<Long> values = this.audit.get(key);
		if (values == null) {
			return List.of();
		}
		synchronized (values) {
			return List.copyOf(values);
		}
	}

	/** The row as a reader of the database sees it now. */
	Long row(String key) {
		List<Long> values = audit(key);
		return values.isEmpty() ? null : values.get(values.size() - 1);
	}

	/** The write-behind repository: values from 100 on are written at once (condition). */
	static class Repository {

		private final Db db;

		Repository(Db db) {
			this.db = db;
		}

		@WriteBehind(cache = "seen", condition = "#value < 100")
		public void save(String key, Long value) {
			this.db.write(key, value);
		}

	}

	/** A write-through method on the same cache (an admin correction, say). */
	static class Admin {

		private final Db db;

		Admin(Db db) {
			this.db = db;
		}

		@WriteThrough(cache = "seen", key = "#key")
		public Long correct(String key, Long value) {
			this.db.write(key, value);
			return value;
		}

		/** Deletes the row (recorded as {@link Db#DELETED}) and evicts the key. */
		@WriteThrough(cache = "seen", key = "#key", mode = WriteMode.EVICT)
		public void delete(String key) {
			this.db.write(key, DELETED);
		}

	}

}
