package dev.tieredcache.review6;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.cache.annotation.Cacheable;

import dev.tieredcache.annotation.ReadThrough;

/**
 * review6: two versions of one application's cached class, their repositories, and the
 * database both read (a row per id, with a version per change).
 */
public final class Users {

	private Users() {
	}

	/** The database: a version per row. */
	public static final class Rows {

		final Map<Long, Integer> versions = new ConcurrentHashMap<>();

		int version(long id) {
			return this.versions.getOrDefault(id, 1);
		}

	}

	/** The cached value of the old version. */
	public record UserV1(long id, int version) {
	}

	/** The cached value of the new version: one field more. */
	public record UserV2(long id, int version, String email) {
	}

	/** The old version's repository. */
	public static class OldUsers {

		final Rows rows;

		final AtomicInteger loads = new AtomicInteger();

		/** How many times the method ran (a proxy's fields are its own: ask the method). */
		public int loads() {
			return this.loads.get();
		}

		public OldUsers(Rows rows) {
			this.rows = rows;
		}

		@ReadThrough(cache = "users", key = "#id")
		public UserV1 find(long id) {
			this.loads.incrementAndGet();
			return new UserV1(id, this.rows.version(id));
		}

	}

	/** The new version's repository. */
	public static class NewUsers {

		final Rows rows;

		final AtomicInteger loads = new AtomicInteger();

		/** How many times the method ran (a proxy's fields are its own: ask the method). */
		public int loads() {
			return this.loads.get();
		}

		public NewUsers(Rows rows) {
			this.rows = rows;
		}

		@ReadThrough(cache = "users", key = "#id")
		public UserV2 find(long id) {
			this.loads.incrementAndGet();
			return new UserV2(id, this.rows.version(id), id + "@example.com");
		}

	}

	/** The old version's repository with plain Spring {@code @Cacheable} (not sync). */
	public static class OldCacheable {

		final Rows rows;

		final AtomicInteger loads = new AtomicInteger();

		/** How many times the method ran (a proxy's fields are its own: ask the method). */
		public int loads() {
			return this.loads.get();
		}

		public OldCacheable(Rows rows) {
			this.rows = rows;
		}

		@Cacheable("accounts")
		public UserV1 find(long id) {
			this.loads.incrementAndGet();
			return new UserV1(id, this.rows.version(id));
		}

	}

	/** The new version's repository with plain Spring {@code @Cacheable} (not sync). */
	public static class NewCacheable {

		final Rows rows;

		final AtomicInteger loads = new AtomicInteger();

		/** How many times the method ran (a proxy's fields are its own: ask the method). */
		public int loads() {
			return this.loads.get();
		}

		public NewCacheable(Rows rows) {
			this.rows = rows;
		}

		@Cacheable("accounts")
		public UserV2 find(long id) {
			this.loads.incrementAndGet();
			return new UserV2(id, this.rows.version(id), id + "@example.com");
		}

	}

}
