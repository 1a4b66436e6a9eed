package dev.tieredcache.writebehind;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

import dev.tieredcache.cache.CacheEntry;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.RateLimitedLog;
import dev.tieredcache.redis.RedisUnavailableException;
import dev.tieredcache.redis.RedisWriteBehindStore;
import dev.tieredcache.redis.RedisWriteBehindStore.FailOutcome;
import dev.tieredcache.redis.RedisWriteBehindStore.Pending;

/**
 * Flushes pending writes: every {@code flush-interval}, per write-behind cache, claims up
 * to {@code batch-size} due keys (a claim with this instance's id and a lease of
 * {@code claim-after}, so two instances never flush one key at once, and a dead
 * instance's claims are taken over once their lease ran out; a heartbeat renews the
 * claims while the flush runs), reads the latest value of
 * each, calls the flush method (per key, or {@code flushAll} once), and acknowledges each
 * key only if its value is still the one flushed: a newer write keeps the key pending for
 * the next round. A failed flush is retried after a back-off doubling from
 * {@code backoff}; after {@code max-attempts} the write is copied to the dead letters.
 *
 * <p>Also, every {@code claim-after}, indexes pending writes the index lost (a crash
 * between a write's two commands), and at stop flushes what is due within the shutdown
 * timeout. Runs after the application's beans start and stops before they are destroyed.
 */
public class WriteBehindFlusher implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(WriteBehindFlusher.class);

	private final TieredCacheManager manager;

	private final WriteBehindMethods methods;

	private final RedisWriteBehindStore store;

	private final Function<String, WriteBehindSettings> settings;

	private final WriteBehindStatistics statistics;

	private final Duration shutdownTimeout;

	private final String owner = UUID.randomUUID().toString();

	private final RateLimitedLog warnings = new RateLimitedLog(logger, Duration.ofMinutes(1));

	private final List<ScheduledFuture<?>> tasks = new ArrayList<>();

	private final java.util.Map<String, ReentrantLock> rounds = new java.util.concurrent.ConcurrentHashMap<>();

	private @Nullable ScheduledExecutorService scheduler;

	private volatile boolean running;

	/**
	 * Creates the flusher.
	 * @param manager the caches
	 * @param methods the flush targets
	 * @param store the Redis side
	 * @param settings the write-behind settings of each cache
	 * @param statistics the counters
	 * @param shutdownTimeout how long stopping may flush
	 */
	public WriteBehindFlusher(TieredCacheManager manager, WriteBehindMethods methods, RedisWriteBehindStore store,
			Function<String, WriteBehindSettings> settings, WriteBehindStatistics statistics,
			Duration shutdownTimeout) {
		this.manager = manager;
		this.methods = methods;
		this.store = store;
		this.settings = settings;
		this.statistics = statistics;
		this.shutdownTimeout = shutdownTimeout;
	}

	/** Returns this flusher's id, recorded in its claims. */
	public String owner() {
		return this.owner;
	}

	@Override
	public synchronized void start() {
		if (this.running || this.methods.all().isEmpty()) {
			this.running = true;
			return;
		}
		checkEvictionPolicy();
		CustomizableThreadFactory threads = new CustomizableThreadFactory("tiered-cache-write-behind-");
		threads.setDaemon(true);
		ScheduledExecutorService executor = Executors.newScheduledThreadPool(
				Math.min(4, this.methods.all().size() + 1), threads);
		for (WriteBehindMethod method : this.methods.all()) {
			WriteBehindSettings own = this.settings.apply(method.cache());
			long interval = own.flushInterval().toMillis();
			long sweep = own.claimAfter().toMillis();
			this.statistics.of(method.cache());
			this.tasks.add(executor.scheduleWithFixedDelay(() -> safely(() -> flushDue(method.cache())), interval,
					interval, TimeUnit.MILLISECONDS));
			this.tasks.add(executor.scheduleWithFixedDelay(() -> safely(() -> sweep(method.cache())), 0, sweep,
					TimeUnit.MILLISECONDS));
		}
		this.scheduler = executor;
		this.running = true;
	}

	/**
	 * Stops flushing on schedule, then flushes what is due, for at most the shutdown
	 * timeout; what is left stays pending in Redis for the other instances.
	 */
	@Override
	public synchronized void stop() {
		this.running = false;
		this.tasks.forEach((task) -> task.cancel(false));
		this.tasks.clear();
		ScheduledExecutorService executor = this.scheduler;
		this.scheduler = null;
		if (executor == null) {
			return;
		}
		executor.shutdown();
		long deadline = System.nanoTime() + this.shutdownTimeout.toNanos();
		try {
			executor.awaitTermination(this.shutdownTimeout.toNanos(), TimeUnit.NANOSECONDS);
			for (WriteBehindMethod method : this.methods.all()) {
				while (System.nanoTime() - deadline < 0 && flushRound(method.cache()) > 0) {
					// Until nothing is due.
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (RuntimeException ex) {
			logger.warn("Flushing pending writes at shutdown stopped (" + ex.getClass().getSimpleName()
					+ "); they stay pending in Redis for the other instances");
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** Stops before the application's beans (and the Redis connection) are destroyed. */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 1024;
	}

	/**
	 * Flushes the due writes of a cache, round after round while full batches come.
	 * @param cache the cache name
	 */
	public void flushDue(String cache) {
		int batch = this.settings.apply(cache).batchSize();
		int claimed;
		do {
			claimed = flushRound(cache);
		}
		while (claimed >= batch && this.running);
		refreshBacklog(cache);
	}

	/**
	 * Claims up to a batch of due writes of a cache and flushes them.
	 * @param cache the cache name
	 * @return how many keys were claimed
	 */
	public int flushRound(String cache) {
		WriteBehindMethod method = this.methods.get(cache);
		if (method == null) {
			return 0;
		}
		ReentrantLock lock = this.rounds.computeIfAbsent(cache, (name) -> new ReentrantLock());
		lock.lock();
		try {
			return flushRound(method, this.manager.getCache(cache), this.settings.apply(cache));
		}
		finally {
			lock.unlock();
		}
	}

	private int flushRound(WriteBehindMethod method, TieredCache cache, WriteBehindSettings own) {
		String name = cache.getEncodedName();
		long lease = own.claimAfter().toMillis();
		List<String> keys = this.store.claim(name, own.batchSize(), lease);
		List<Claimed> claimed = new ArrayList<>(keys.size());
		Claims claims = new Claims(name, lease);
		try {
			for (String key : keys) {
				Pending pending = this.store.take(name, key, this.owner, lease);
				if (pending == null) {
					continue;
				}
				if (pending.stored() == null) {
					if (pending.lost()) {
						this.warnings.warn(name, () -> "A pending write of cache '" + method.cache()
								+ "' had lost its value in Redis (evicted or deleted: pending values need "
								+ "maxmemory-policy noeviction or volatile-*); it could not be flushed and was dropped");
					}
					this.store.forget(name, key);
					continue;
				}
				claims.held.add(key);
				claims.startHeartbeat();
				claimed.add(decode(cache, pending));
			}
			flush(method, cache, own, claimed, claims);
		}
		finally {
			claims.stopHeartbeat();
		}
		return keys.size();
	}

	private void flush(WriteBehindMethod method, TieredCache cache, WriteBehindSettings own, List<Claimed> claimed,
			Claims claims) {
		List<Claimed> readable = claimed.stream().filter((c) -> c.failure() == null).toList();
		for (Claimed unreadable : claimed) {
			if (unreadable.failure() != null) {
				claims.released(unreadable);
				failed(method, cache, own, unreadable, unreadable.failure());
			}
		}
		if (method.flushAll() != null && !readable.isEmpty()) {
			List<Claimed> ours = readable.stream().filter(claims::stillOurs).toList();
			if (ours.isEmpty()) {
				return;
			}
			LinkedHashMap<Object, @Nullable Object> values = new LinkedHashMap<>();
			ours.forEach((c) -> values.put(c.key(), c.value()));
			Throwable failure = timed(method.cache(), () -> method.flushAll(values));
			if (failure != null && ours.size() > 1) {
				// One value the database refuses must not fail (and in the end dead-letter)
				// the whole batch: each write is tried on its own, and only its own outcome
				// counts. Flush methods are idempotent, so a batch that partly landed is fine.
				flushOneByOne(method, cache, own, ours, claims);
				return;
			}
			ours.forEach(claims::released);
			for (Claimed c : ours) {
				settle(method, cache, own, c, failure);
			}
		}
		else {
			flushOneByOne(method, cache, own, readable, claims);
		}
	}

	private void flushOneByOne(WriteBehindMethod method, TieredCache cache, WriteBehindSettings own,
			List<Claimed> claimed, Claims claims) {
		for (Claimed c : claimed) {
			if (!claims.stillOurs(c)) {
				continue;
			}
			Throwable failure = timed(method.cache(), () -> method.flushOne(c.key(), c.value()));
			claims.released(c);
			settle(method, cache, own, c, failure);
		}
	}

	private void renew(Claims claims) {
		for (String key : claims.held) {
			int renewed = this.store.renew(claims.cache, key, this.owner, claims.lease);
			if (renewed == 0) {
				claims.held.remove(key);
			}
			else if (renewed < 0 && claims.held.remove(key)) {
				// Still held by this round (not settled yet, which would have released it).
				claims.lost.add(key);
				this.warnings.warn("lost-claim", () -> "A flusher lost its claim on a pending write-behind write of "
						+ "cache '" + claims.cache + "' while flushing it (paused longer than claim-after?): "
						+ "another instance flushes it; flush methods must be idempotent and guard order");
			}
		}
	}

	private Claimed decode(TieredCache cache, Pending pending) {
		try {
			CacheEntry entry = cache.decodeStored(pending.stored());
			if (entry == null) {
				return new Claimed(pending, null, null, new IllegalStateException("unreadable value"));
			}
			Object key = WriteBehindWrites.deserializeKey(this.manager.getServices().codec(), pending.serializedKey());
			return new Claimed(pending, key, entry.get(), null);
		}
		catch (RuntimeException ex) {
			return new Claimed(pending, null, null, ex);
		}
	}

	private @Nullable Throwable timed(String cache, Flush flush) {
		long start = System.nanoTime();
		try {
			flush.run();
			this.statistics.of(cache).flushed(true, System.nanoTime() - start);
			return null;
		}
		catch (Throwable ex) {
			this.statistics.of(cache).flushed(false, System.nanoTime() - start);
			return ex;
		}
	}

	private void settle(WriteBehindMethod method, TieredCache cache, WriteBehindSettings own, Claimed claimed,
			@Nullable Throwable failure) {
		if (failure != null) {
			failed(method, cache, own, claimed, failure);
			return;
		}
		String name = cache.getEncodedName();
		String key = claimed.pending().key();
		try {
			if (this.store.ack(name, key, this.owner, claimed.pending().sequence(),
					cache.flushedTtlMillis(claimed.value()))) {
				this.store.forget(name, key);
			}
			else {
				// A newer value came meanwhile: flushed next round.
				this.store.due(name, 0, false, List.of(key));
			}
		}
		catch (RedisUnavailableException ex) {
			// Still pending and claimed: flushed again once the claim runs out (at least once).
		}
	}

	private void failed(WriteBehindMethod method, TieredCache cache, WriteBehindSettings own, Claimed claimed,
			Throwable failure) {
		String name = cache.getEncodedName();
		Pending pending = claimed.pending();
		int failures = pending.attempts() + 1;
		boolean dead = failures >= own.maxAttempts();
		try {
			if (dead) {
				// Copied first: a crash before the write stops being pending only duplicates it.
				this.store.deadLetter(name, pending, failures, failure.getClass().getName());
			}
			FailOutcome outcome = this.store.fail(name, pending.key(), this.owner, pending.sequence(), dead,
					cache.tombstoneTtlMillis());
			switch (outcome) {
				case DEAD_LETTERED -> {
					cache.invalidateLocally(pending.key());
					this.store.forget(name, pending.key());
					this.statistics.of(method.cache()).deadLetter();
					logger.warn("A write-behind write of cache '" + method.cache() + "' failed " + failures
							+ " times (last: " + failure.getClass().getName() + ") and was moved to the dead letters; "
							+ "replay or drop it with the tieredcache actuator endpoint");
				}
				case RETRY -> this.store.due(name, own.backoffAfter(failures).toMillis(), false,
						List.of(pending.key()));
				case NEWER_PENDING -> this.store.due(name, 0, false, List.of(pending.key()));
				case NOT_PENDING -> this.store.forget(name, pending.key());
			}
			if (!dead) {
				this.warnings.warn(method.cache(), () -> "Flushing a write-behind write of cache '" + method.cache()
						+ "' with " + method.description() + " failed (" + failure.getClass().getName()
						+ "); it is retried after a back-off");
			}
		}
		catch (RedisUnavailableException ex) {
			// Still pending and claimed: retried once the claim runs out.
		}
	}

	/**
	 * Indexes the pending writes of a cache the index lost.
	 * @param cache the cache name
	 */
	public void sweep(String cache) {
		int found = this.store.sweep(this.manager.getCache(cache).getEncodedName());
		if (found > 0) {
			logger.info("Cache '" + cache + "': " + found + " pending write-behind writes were missing from the "
					+ "index (a write interrupted between its two commands) and are indexed again");
		}
	}

	private void refreshBacklog(String cache) {
		RedisWriteBehindStore.Backlog backlog = this.store.backlog(this.manager.getCache(cache).getEncodedName());
		this.statistics.of(cache).backlog(backlog.count(), backlog.oldestDueMillis());
	}

	private void checkEvictionPolicy() {
		String policy = this.store.maxmemoryPolicy();
		if (policy != null && policy.startsWith("allkeys-")) {
			logger.warn("Redis evicts keys without TTL (maxmemory-policy " + policy + "): pending write-behind "
					+ "writes could be lost under memory pressure. Use noeviction or a volatile-* policy");
		}
	}

	private void safely(Runnable task) {
		try {
			task.run();
		}
		catch (RedisUnavailableException ex) {
			// Redis is away: the writes stay pending; the next run tries again.
		}
		catch (RuntimeException ex) {
			this.warnings.warn("flusher", () -> "A write-behind flush round failed (" + ex.getClass().getName() + ")");
		}
	}

	@FunctionalInterface
	private interface Flush {

		void run() throws Throwable;

	}

	/**
	 * The keys one round holds, and the heartbeat renewing their claims (every third of
	 * the lease, on the housekeeping scheduler) until the round ends: a flush slower than
	 * {@code claim-after} keeps its keys. A key whose claim was taken over meanwhile (this
	 * instance paused longer than the lease) is not flushed by this round if not flushed yet.
	 */
	private final class Claims {

		final String cache;

		final long lease;

		final java.util.Set<String> held = java.util.concurrent.ConcurrentHashMap.newKeySet();

		final java.util.Set<String> lost = java.util.concurrent.ConcurrentHashMap.newKeySet();

		private @Nullable ScheduledFuture<?> heartbeat;

		Claims(String cache, long lease) {
			this.cache = cache;
			this.lease = lease;
		}

		void startHeartbeat() {
			if (this.heartbeat != null) {
				return;
			}
			try {
				this.heartbeat = WriteBehindFlusher.this.store.executor()
					.schedule(Duration.ofMillis(Math.max(1, this.lease / 3)), () -> renew(this));
			}
			catch (java.util.concurrent.RejectedExecutionException ex) {
				// Redis's executor is shutting down: the round's claims simply run out.
			}
		}

		void stopHeartbeat() {
			ScheduledFuture<?> running = this.heartbeat;
			if (running != null) {
				running.cancel(false);
			}
		}

		boolean stillOurs(Claimed claimed) {
			return !this.lost.contains(claimed.pending().key());
		}

		void released(Claimed claimed) {
			this.held.remove(claimed.pending().key());
		}

	}

	/** A claimed write, decoded (or why it could not be). */
	private record Claimed(Pending pending, @Nullable Object key, @Nullable Object value,
			@Nullable Throwable failure) {
	}

}
