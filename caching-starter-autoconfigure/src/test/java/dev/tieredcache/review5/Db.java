package dev.tieredcache.review5;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongPredicate;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import dev.tieredcache.annotation.WriteBehind;
import dev.tieredcache.annotation.WriteThrough;

/**
 * review5: a stand-in database shared by the instances of a test: every value written per
 * key, in the order the writes landed (the audit), a row lock per key (as a database takes
 * one on UPDATE and holds it until commit), and knobs to fail writes.
 */
final class Db {

	final Map<String, List<Long>> audit = new ConcurrentHashMap<>();

	final Map<String, ReentrantLock> rowLocks = new ConcurrentHashMap<>();

	/** When set, {@link Admin#correctThenNotify} waits on it after its database write. */
	volatile CountDownLatch afterWrite = new CountDownLatch(0);

	/** Values whose write throws. */
	volatile LongPredicate failing = (v) -> false;

	ReentrantLock rowLock(String key) {
		return this.rowLocks.computeIfAbsent(key, (k) -> new ReentrantLock());
	}

	/**
	 * Writes a row: waits for the row's lock (held by an open transaction), as UPDATE does.
	 * Inside a Spring transaction the write lands only if it commits.
	 */
	void write(String key, long value) {
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

				@Override
				public void afterCompletion(int status) {
					if (status == STATUS_COMMITTED) {
						land(key, value);
					}
				}

			});
			return;
		}
		land(key, value);
	}

	private void land(String key, long value) {
		ReentrantLock lock = rowLock(key);
		lock.lock();
		try {
			if (this.failing.test(value)) {
				throw new IllegalStateException("database refuses");
			}
			List<Long> values = this.audit.computeIfAbsent(key, (k) -> new ArrayList<>());
			synchronized (values) {
				values.add(value);
			}
		}
		finally {
			lock.unlock();
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

	/** The write-behind repository, flushed per key. */
	static class Repository {

		private final Db db;

		Repository(Db db) {
			this.db = db;
		}

		@WriteBehind(cache = "seen")
		public void save(String key, Long value) {
			this.db.write(key, value);
		}

	}

	/** A write-behind repository whose values from 100 on are written at once (condition). */
	static class ConditionalRepository {

		private final Db db;

		ConditionalRepository(Db db) {
			this.db = db;
		}

		@WriteBehind(cache = "marks", condition = "#value < 100")
		public void save(String key, Long value) {
			this.db.write(key, value);
		}

	}

	/** A write-behind repository flushed in batches ({@code flushAll}). */
	static class BatchRepository {

		private final Db db;

		BatchRepository(Db db) {
			this.db = db;
		}

		@WriteBehind(cache = "items", flushAll = "saveAll")
		public void save(String key, Long value) {
			this.db.write(key, value);
		}

		/** One batch statement: all rows or none (the statement fails as a whole). */
		public void saveAll(Map<String, Long> values) {
			for (Long value : values.values()) {
				if (this.db.failing.test(value)) {
					throw new IllegalStateException("database refuses the batch");
				}
			}
			values.forEach(this.db::write);
		}

	}

	/** A write-through method on the write-behind cache (an admin correction, say). */
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

		/**
		 * Writes the row, then does slower work before returning (a call to another
		 * system, the rest of a transaction): the method runs longer than claim-after.
		 */
		@WriteThrough(cache = "seen", key = "#key")
		public Long correctThenNotify(String key, Long value) throws InterruptedException {
			this.db.write(key, value);
			this.db.afterWrite.await(20, TimeUnit.SECONDS);
			return value;
		}

	}

}
