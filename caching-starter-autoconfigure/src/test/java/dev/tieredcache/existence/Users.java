package dev.tieredcache.existence;

import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import dev.tieredcache.annotation.ReadThrough;
import dev.tieredcache.annotation.WriteBehind;
import dev.tieredcache.annotation.WriteMode;
import dev.tieredcache.annotation.WriteThrough;

/**
 * A stand-in for a table of users: rows by id, counted reads, and the {@link ExistingKeys}
 * of the {@code users} cache over it.
 */
public class Users {

	private final ConcurrentSkipListMap<Long, String> table = new ConcurrentSkipListMap<>();

	private final AtomicInteger finds = new AtomicInteger();

	/** Inserts rows straight into the table, as another application or a migration would. */
	public void insert(long from, long to) {
		for (long id = from; id < to; id++) {
			this.table.put(id, "user " + id);
		}
	}

	public int finds() {
		return this.finds.get();
	}

	/** The ids of the table, as a query would stream them (weakly consistent, ascending). */
	public Stream<Long> ids() {
		return this.table.keySet().stream();
	}

	public boolean exists(long id) {
		return this.table.containsKey(id);
	}

	/** What the loader of the cache runs: counted. */
	public String load(long id) {
		this.finds.incrementAndGet();
		return this.table.get(id);
	}

	@ReadThrough(cache = "users", key = "#id")
	public Optional<String> find(long id) {
		return Optional.ofNullable(load(id));
	}

	@WriteThrough(cache = "users", key = "#id", value = "#name")
	public void save(long id, String name) {
		this.table.put(id, name);
	}

	@WriteBehind(cache = "users")
	public void saveLater(Long id, String name) {
		this.table.put(id, name);
	}

	@WriteThrough(cache = "users", key = "#id", mode = WriteMode.EVICT)
	public void saveAndEvict(long id, String name) {
		this.table.put(id, name);
	}

}
