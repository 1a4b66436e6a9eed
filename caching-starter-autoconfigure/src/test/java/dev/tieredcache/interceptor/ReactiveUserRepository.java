package dev.tieredcache.interceptor;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.tieredcache.annotation.InvalidateTags;
import dev.tieredcache.annotation.ReadThrough;
import dev.tieredcache.annotation.WriteThrough;
import dev.tieredcache.interceptor.UserRepository.User;

/**
 * A stand-in for a reactive repository: an in-memory table behind {@code Mono} and
 * {@code Flux} methods, an optional latency (the value is emitted on Reactor's parallel
 * timer, as a non-blocking driver would) and counters of how often each method's publisher
 * was really subscribed, that is how often the database was read or written.
 */
public class ReactiveUserRepository {

	private final Map<Long, User> table = new ConcurrentHashMap<>();

	private final AtomicInteger finds = new AtomicInteger();

	private final AtomicInteger teams = new AtomicInteger();

	private final AtomicInteger saves = new AtomicInteger();

	private volatile Duration latency = Duration.ZERO;

	public AtomicInteger finds() {
		return this.finds;
	}

	public AtomicInteger teams() {
		return this.teams;
	}

	public AtomicInteger saves() {
		return this.saves;
	}

	public void setLatency(Duration latency) {
		this.latency = latency;
	}

	public void insert(User user) {
		this.table.put(user.id(), user);
	}

	public User current(long id) {
		return this.table.get(id);
	}

	private <T> Mono<T> delayed(Mono<T> value) {
		return this.latency.isZero() ? value : value.delayElement(this.latency);
	}

	@ReadThrough(cache = "users", key = "#id", tags = "'user:' + #id")
	public Mono<User> find(long id) {
		return Mono.defer(() -> {
			this.finds.incrementAndGet();
			return delayed(Mono.justOrEmpty(this.table.get(id)));
		});
	}

	@ReadThrough(cache = "teams", key = "#teamId", tags = "'team:' + #teamId")
	public Flux<User> team(long teamId) {
		return Flux.defer(() -> {
			this.teams.incrementAndGet();
			return Flux.fromIterable(this.table.values()).filter((user) -> user.teamId() == teamId).sort(
					(left, right) -> Long.compare(left.id(), right.id()));
		});
	}

	@ReadThrough(cache = "users", key = "'failing:' + #id")
	public Mono<User> failing(long id) {
		return Mono.defer(() -> {
			this.finds.incrementAndGet();
			return Mono.error(new IllegalStateException("database down"));
		});
	}

	@ReadThrough(cache = "greetings", key = "#id")
	public Mono<String> greeting(long id) {
		return Mono.deferContextual((context) -> {
			this.finds.incrementAndGet();
			return Mono.just("hello " + id + " from " + context.getOrDefault("tenant", "nobody"));
		});
	}

	@WriteThrough(cache = "users", key = "#user.id", tags = "'user:' + #user.id")
	public Mono<User> save(User user) {
		return Mono.fromCallable(() -> {
			this.saves.incrementAndGet();
			this.table.put(user.id(), user);
			return user;
		});
	}

	@WriteThrough(cache = "users", key = "#user.id")
	public Mono<User> failingSave(User user) {
		return Mono.defer(() -> {
			this.saves.incrementAndGet();
			return Mono.error(new IllegalStateException("database down"));
		});
	}

	@InvalidateTags(value = "'team:' + #teamId", beforeInvocation = true)
	public Mono<Void> disband(long teamId) {
		return Mono.fromRunnable(() -> this.table.values().removeIf((user) -> user.teamId() == teamId));
	}

	@InvalidateTags({ "'team:' + #fromTeam", "'team:' + #toTeam" })
	public Mono<Void> moveUser(long userId, long fromTeam, long toTeam) {
		return Mono.fromRunnable(() -> {
			User user = this.table.get(userId);
			this.table.put(userId, new User(userId, toTeam, user.name()));
		});
	}

}
