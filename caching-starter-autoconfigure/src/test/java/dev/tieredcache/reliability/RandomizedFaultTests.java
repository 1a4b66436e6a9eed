package dev.tieredcache.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import dev.tieredcache.TieredCacheOperations;
import dev.tieredcache.cache.CacheKeyEncoder;
import dev.tieredcache.cache.ReadRequest;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.RedisServerProcess;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bounded, Jepsen-style check of the consistency promise: two instances read through,
 * write through, invalidate tags and bump groups over a versioned in-memory "database"
 * (every write increments the row's version), while a fault injector freezes Redis, kills
 * and restarts it empty, kills its pub/sub and normal connections and lets single write
 * commands time out. Every read is checked afterwards: once a write is older than the
 * documented bound — counted from its commit, or from the end of a fault that overlapped
 * it — no instance may serve an older version of its row.
 *
 * <p>The default suite runs it for {@value #DEFAULT_SECONDS} s; {@code -Psoak} for
 * {@value #SOAK_SECONDS} s.
 */
class RandomizedFaultTests {

	static final int DEFAULT_SECONDS = 25;

	static final int SOAK_SECONDS = 180;

	private static final int KEYS = 60;

	/**
	 * The staleness bound these settings promise: a lost command is retried within the
	 * repair interval plus a command timeout; a lost message is noticed within the
	 * heartbeat (the repair interval) plus the gap grace (500 ms); after an outage the probe
	 * sees Redis within the circuit's open duration and replays before closing it. Each
	 * term is well under a second here; the bound leaves room for a busy 2-core machine.
	 * The circuit opens only after many failures, so that most faults heal without it, as
	 * short faults do in production, where the reads that still succeed keep resetting the
	 * count.
	 */
	private static final Duration BOUND = Duration.ofMillis(1500);

	@Test
	void noInstanceServesAVersionOlderThanTheBoundAllowsUnderRandomFaults() throws Exception {
		run(DEFAULT_SECONDS);
	}

	@Test
	@Tag("soak")
	void noInstanceServesAVersionOlderThanTheBoundAllowsUnderRandomFaultsForMinutes() throws Exception {
		run(SOAK_SECONDS);
	}

	private void run(int seconds) throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			ApplicationContextRunner runner = Instances.runner(redis.port(), TestRedis.uniquePrefix("jepsen"))
				.withPropertyValues("tiered-cache.redis.command-timeout=200ms",
						"tiered-cache.redis.circuit-failure-threshold=20", "tiered-cache.redis.circuit-open-duration=300ms",
						"tiered-cache.redis.repair-interval=200ms", "tiered-cache.versions.refresh-interval=1s",
						"tiered-cache.defaults.local.ttl=10m", "tiered-cache.defaults.ttl=10m",
						"tiered-cache.defaults.stampede.lease=2s", "tiered-cache.defaults.stampede.wait-timeout=1s");
			runner.run((a) -> runner.run((b) -> new Run(redis, List.of(a, b), seconds).execute()));
		}
	}

	/** One run: the database, the history of commits, reads and faults, and the workers. */
	private static final class Run {

		private final RedisServerProcess redis;

		private final List<TieredCache> caches = new ArrayList<>();

		private final List<TieredCacheOperations> operations = new ArrayList<>();

		private final int seconds;

		private final long origin = System.nanoTime();

		private final Map<Long, AtomicLong> database = new ConcurrentHashMap<>();

		private final ReentrantLock[] rowLocks = new ReentrantLock[KEYS];

		/** Per key, the commit time (ns since origin) of each version, by version. */
		private final Map<Long, Map<Long, Long>> commits = new ConcurrentHashMap<>();

		private final List<long[]> reads = new CopyOnWriteArrayList<>();

		private final List<long[]> faults = new CopyOnWriteArrayList<>();

		private final AtomicInteger errors = new AtomicInteger();

		private final AtomicInteger operationsDone = new AtomicInteger();

		private volatile boolean running = true;

		Run(RedisServerProcess redis, List<? extends ApplicationContext> instances, int seconds) {
			this.redis = redis;
			this.seconds = seconds;
			for (ApplicationContext instance : instances) {
				this.caches.add(instance.getBean(TieredCacheManager.class).getCache("rows"));
				this.operations.add(instance.getBean(TieredCacheOperations.class));
			}
			for (long key = 0; key < KEYS; key++) {
				this.database.put(key, new AtomicLong());
				this.commits.put(key, new ConcurrentHashMap<>(Map.of(0L, 0L)));
				this.rowLocks[(int) key] = new ReentrantLock();
			}
		}

		void execute() throws Exception {
			ExecutorService workers = Executors.newFixedThreadPool(7);
			List<Future<?>> running = new ArrayList<>();
			for (int instance = 0; instance < 2; instance++) {
				int i = instance;
				running.add(workers.submit(() -> loop(() -> read(i))));
				running.add(workers.submit(() -> loop(() -> read(i))));
				running.add(workers.submit(() -> loop(() -> change(i))));
			}
			running.add(workers.submit(this::injectFaults));
			for (Future<?> worker : running) {
				worker.get(this.seconds + 60, TimeUnit.SECONDS);
			}
			workers.shutdown();
			check();
		}

		private long now() {
			return System.nanoTime() - this.origin;
		}

		private void loop(Runnable step) {
			long end = this.origin + TimeUnit.SECONDS.toNanos(this.seconds);
			while (System.nanoTime() < end) {
				try {
					step.run();
					this.operationsDone.incrementAndGet();
				}
				catch (RuntimeException ex) {
					this.errors.incrementAndGet();
				}
			}
			this.running = false;
		}

		private static String[] tags(long key) {
			return new String[] { CacheKeyEncoder.encode("team:" + (key % 3)),
					CacheKeyEncoder.encodeGroup("half:" + (key % 2)) };
		}

		private void read(int instance) {
			long key = ThreadLocalRandom.current().nextLong(KEYS);
			long started = now();
			Object served;
			try {
				served = this.caches.get(instance).readThrough(ReadRequest.of(Long.toString(key), tags(key), () -> {
					long version = this.database.get(key).get();
					Thread.sleep(ThreadLocalRandom.current().nextInt(3));
					return version;
				}, null, null));
			}
			catch (RuntimeException ex) {
				throw ex;
			}
			catch (Throwable ex) {
				throw new IllegalStateException(ex);
			}
			this.reads.add(new long[] { key, (Long) served, started });
		}

		private void change(int instance) {
			ThreadLocalRandom random = ThreadLocalRandom.current();
			int kind = random.nextInt(20);
			if (kind == 0) {
				long team = random.nextLong(3);
				bulkUpdate((key) -> key % 3 == team, () -> this.operations.get(instance).invalidateTags("team:" + team));
			}
			else if (kind == 1) {
				long half = random.nextLong(2);
				bulkUpdate((key) -> key % 2 == half, () -> this.operations.get(instance).bumpVersion("half:" + half));
			}
			else {
				long key = random.nextLong(KEYS);
				ReentrantLock lock = this.rowLocks[(int) key];
				lock.lock();
				try {
					long version = commit(key);
					this.caches.get(instance).write(Long.toString(key), version, tags(key));
				}
				finally {
					lock.unlock();
				}
			}
			try {
				// Each row is rewritten every few seconds, not every few milliseconds: a lost
				// change must not be hidden by the next write of the same row.
				Thread.sleep(100 + random.nextInt(200));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		/** Updates many rows in one transaction, then invalidates them as a group. */
		private void bulkUpdate(java.util.function.LongPredicate rows, Runnable invalidation) {
			List<ReentrantLock> held = new ArrayList<>();
			try {
				for (long key = 0; key < KEYS; key++) {
					if (rows.test(key)) {
						this.rowLocks[(int) key].lock();
						held.add(this.rowLocks[(int) key]);
						commit(key);
					}
				}
				invalidation.run();
			}
			finally {
				held.forEach(ReentrantLock::unlock);
			}
		}

		private long commit(long key) {
			long version = this.database.get(key).incrementAndGet();
			this.commits.get(key).put(version, now());
			return version;
		}

		private void injectFaults() {
			ThreadLocalRandom random = ThreadLocalRandom.current();
			try {
				Thread.sleep(1000);
				while (this.running) {
					long started = now();
					// Lost single commands, the commonest production fault, come up most often.
					switch (random.nextInt(7)) {
						case 0 -> {
							this.redis.pause();
							Thread.sleep(300 + random.nextInt(1200));
							this.redis.resume();
						}
						case 1 -> {
							this.redis.kill();
							Thread.sleep(random.nextInt(1000));
							this.redis.restart();
						}
						case 2 -> this.redis.cli("CLIENT", "KILL", "TYPE", "pubsub");
						case 3 -> this.redis.cli("CLIENT", "KILL", "TYPE", "normal");
						default -> {
							// Single write commands time out, then their connections die with them.
							this.redis.cli("CLIENT", "PAUSE", "2000", "WRITE");
							Thread.sleep(250 + random.nextInt(250));
							this.redis.cli("CLIENT", "KILL", "TYPE", "normal");
							this.redis.cli("CLIENT", "UNPAUSE");
						}
					}
					this.faults.add(new long[] { started, now() });
					Thread.sleep(BOUND.toMillis() + random.nextInt(1000));
				}
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		}

		/** When a write committed at the given time must be visible everywhere. */
		private long due(long committed) {
			long bound = BOUND.toNanos();
			long due = committed + bound;
			boolean moved = true;
			while (moved) {
				moved = false;
				for (long[] fault : this.faults) {
					if (fault[0] < due && fault[1] + bound > due && fault[1] >= committed - bound) {
						due = fault[1] + bound;
						moved = true;
					}
				}
			}
			return due;
		}

		private void check() {
			int stale = 0;
			int violations = 0;
			long worst = 0;
			for (long[] read : this.reads) {
				long key = read[0];
				long served = read[1];
				long started = read[2];
				Map<Long, Long> history = this.commits.get(key);
				Long missed = history.get(served + 1);
				if (missed == null || missed >= started) {
					continue;
				}
				stale++;
				worst = Math.max(worst, started - missed);
				if (started >= due(missed)) {
					violations++;
				}
			}
			System.out.printf("Randomized faults: %d operations, %d reads, %d faults injected, %d stale reads within "
					+ "the bound, %d past it, worst staleness %d ms, %d caller errors%n", this.operationsDone.get(),
					this.reads.size(), this.faults.size(), stale, violations, TimeUnit.NANOSECONDS.toMillis(worst),
					this.errors.get());
			assertThat(this.faults).as("faults injected").isNotEmpty();
			assertThat(this.errors).as("caller errors").hasValue(0);
			assertThat(violations).as("reads staler than the bound").isZero();
		}

	}

}
