package dev.tieredcache.interceptor;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.tieredcache.annotation.InvalidateTags;
import dev.tieredcache.annotation.ReadThrough;
import dev.tieredcache.annotation.VersionedGroup;
import dev.tieredcache.annotation.WriteMode;
import dev.tieredcache.annotation.WriteThrough;
import dev.tieredcache.test.TestThreads;

/**
 * A stand-in for a service over a database: an in-memory table, a configurable load
 * latency and counters of how often each method really ran.
 */
public class UserRepository {

	public record User(long id, long teamId, String name) {
	}

	private final Map<Long, User> table = new ConcurrentHashMap<>();

	private final AtomicInteger finds = new AtomicInteger();

	private final AtomicInteger profiles = new AtomicInteger();

	private final AtomicInteger members = new AtomicInteger();

	private final AtomicInteger dashboards = new AtomicInteger();

	private volatile Duration latency = Duration.ZERO;

	public AtomicInteger finds() {
		return this.finds;
	}

	public AtomicInteger profiles() {
		return this.profiles;
	}

	public AtomicInteger members() {
		return this.members;
	}

	public AtomicInteger dashboards() {
		return this.dashboards;
	}

	public void setLatency(Duration latency) {
		this.latency = latency;
	}

	public void insert(User user) {
		this.table.put(user.id(), user);
	}

	private void pause() {
		if (!this.latency.isZero()) {
			try {
				Thread.sleep(this.latency.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@ReadThrough(cache = "users", key = "#id", tags = { "'user:' + #id" })
	public User find(long id) {
		this.finds.incrementAndGet();
		pause();
		return this.table.get(id);
	}

	@ReadThrough(cache = "profiles", key = "#id", tags = { "'user:' + #id" }, unless = "#result == null")
	public Optional<User> profile(long id) {
		this.profiles.incrementAndGet();
		pause();
		return Optional.ofNullable(this.table.get(id));
	}

	@ReadThrough(cache = "members", tags = "'team:' + #teamId")
	public CompletableFuture<Long> memberCount(long teamId) {
		this.members.incrementAndGet();
		return CompletableFuture.supplyAsync(() -> {
			pause();
			return this.table.values().stream().filter((u) -> u.teamId() == teamId).count();
		}, TestThreads.EACH_ON_ITS_OWN);
	}

	@ReadThrough(cache = "dashboards", key = "#userId")
	@VersionedGroup("'dashboards:team:' + #teamId")
	public String dashboard(long userId, long teamId) {
		this.dashboards.incrementAndGet();
		pause();
		return "dashboard of " + userId + " #" + this.dashboards.get();
	}

	@VersionedGroup(value = "'dashboards:team:' + #teamId", bump = true)
	public void publishTeamReport(long teamId) {
	}

	@WriteThrough(cache = "users", key = "#user.id", tags = "'user:' + #user.id")
	public User save(User user) {
		this.table.put(user.id(), user);
		return user;
	}

	@WriteThrough(cache = "users", key = "#user.id", mode = WriteMode.EVICT)
	public User saveAndEvict(User user) {
		this.table.put(user.id(), user);
		return user;
	}

	@WriteThrough(cache = "users", key = "#user.id")
	public User failingSave(User user) {
		throw new IllegalStateException("database down");
	}

	@InvalidateTags({ "'user:' + #userId", "'team:' + #oldTeam", "'team:' + #newTeam" })
	public void moveUser(long userId, long oldTeam, long newTeam) {
		User user = this.table.get(userId);
		this.table.put(userId, new User(userId, newTeam, user.name()));
	}

	public User current(long id) {
		return this.table.get(id);
	}

}
