package dev.tieredcache.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

/**
 * Issue 15, scenario 5, invalidation reach: how long after a write on instance A instance B
 * stops serving the old value from its local tier, for every contender with a local tier
 * kept in sync across instances (Spring's caches have none: a read after a write sees it).
 * B's local tier is looked at directly ({@link CacheInstance#peekLocal}), polled every
 * {@value #POLL_MICROS} µs, so the figure is the reach itself, not the cost of a read.
 * <ul>
 * <li>One write at a time: B holds the key in its local tier; A writes a new value; the
 * time from the start of the write until B's local tier no longer holds the old value.
 * Repeated {@code writes} times over {@value #KEYS} keys.</li>
 * <li>A burst: B holds {@code burst} keys in its local tier; A writes them all, one after
 * the other as fast as it can, while a watcher on B notes when each key's old value goes;
 * per key, the time from the start of its write. The watcher looks only at the keys
 * written and not yet seen gone, so a figure is late by at most one sweep over them plus a
 * {@value #POLL_MICROS} µs pause: a handful of keys while invalidations keep up with the
 * writes; all of them for a contender that falls behind, whose figures are then far longer
 * than a sweep.</li>
 * </ul>
 * The floor is Redis pub/sub itself: from a {@code PUBLISH} on one connection until the
 * message reaches a subscriber on another.
 */
final class InvalidationReachScenario {

	private static final int KEYS = 64;

	private static final long POLL_MICROS = 10;

	private static final long TIMEOUT_SECONDS = 10;

	private static final Contender[] CONTENDERS = { Contender.STARTER, Contender.JETCACHE, Contender.REDISSON };

	private final int port;

	private final int writes;

	private final int burst;

	InvalidationReachScenario(int port, int writes, int burst) {
		this.port = port;
		this.writes = writes;
		this.burst = burst;
	}

	Map<String, Object> run() throws Exception {
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("writes", this.writes);
		result.put("burst", this.burst);
		result.put("pollMicros", POLL_MICROS);
		List<Object> rows = new ArrayList<>();
		for (Contender contender : CONTENDERS) {
			Map<String, Object> row = new LinkedHashMap<>();
			row.put("name", contender.label());
			row.put("role", (contender == Contender.STARTER) ? "starter" : "peer");
			row.putAll(measure(contender));
			rows.add(row);
			System.out.println("  reach: " + row);
		}
		result.put("contenders", rows);
		result.put("floor", pubSubFloor());
		return result;
	}

	private Map<String, Object> measure(Contender contender) throws Exception {
		String prefix = RedisAccess.uniquePrefix("reach");
		ProductSource source = new ProductSource();
		// Room for every key of the burst in each local tier.
		Contender.Options options = Contender.Options.DEFAULT.withLocalSize(Math.max(10_000, 2 * this.burst));
		List<AutoCloseable> open = new ArrayList<>();
		try {
			CacheInstance a = contender.start(this.port, prefix, source, options);
			open.add(a);
			CacheInstance b = contender.start(this.port, prefix, source, options);
			open.add(b);
			Map<String, Object> result = new LinkedHashMap<>();
			result.put("oneAtATime", oneAtATime(a, b));
			result.put("underBurst", underBurst(a, b));
			return result;
		}
		finally {
			PeerHitScenario.closeAll(open, this.port, prefix);
		}
	}

	private Map<String, Object> oneAtATime(CacheInstance a, CacheInstance b) throws InterruptedException {
		long[] reach = new long[this.writes];
		long[] write = new long[this.writes];
		int timeouts = 0;
		for (int i = 0; i < this.writes; i++) {
			long id = i % KEYS;
			Product old = awaitLocal(b, id);
			long t0 = System.nanoTime();
			a.put(ProductSource.product(id, 1_000_000L + i, 0));
			write[i] = System.nanoTime() - t0;
			long deadline = t0 + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
			while (old.equals(b.peekLocal(id))) {
				if (System.nanoTime() > deadline) {
					timeouts++;
					break;
				}
				LockSupport.parkNanos(POLL_MICROS * 1000);
			}
			reach[i] = System.nanoTime() - t0;
		}
		Map<String, Object> summary = Latencies.summary(reach);
		summary.put("timeouts", timeouts);
		// How long A's write call took: the part of the reach spent before A returned.
		summary.put("writeCall", Latencies.summary(write));
		return summary;
	}

	/** Reads a key on B until B's local tier holds it, and returns what it holds. */
	private static Product awaitLocal(CacheInstance b, long id) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
		while (true) {
			b.get(id);
			Product local = b.peekLocal(id);
			if (local != null) {
				return local;
			}
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("Instance B never held key " + id + " in its local tier");
			}
			Thread.sleep(1);
		}
	}

	private Map<String, Object> underBurst(CacheInstance a, CacheInstance b) throws Exception {
		int n = this.burst;
		Product[] old = new Product[n];
		for (int i = 0; i < n; i++) {
			long id = KEYS + i;
			a.put(ProductSource.product(id, 1, 0));
		}
		// B's local tier must hold every key, and keep holding it once the invalidations of
		// these first writes have all reached B: else a late one would pass for the burst's.
		boolean held;
		do {
			for (int i = 0; i < n; i++) {
				old[i] = awaitLocal(b, KEYS + i);
			}
			Thread.sleep(200);
			held = true;
			for (int i = 0; i < n && held; i++) {
				held = old[i].equals(b.peekLocal(KEYS + i));
			}
		}
		while (!held);
		AtomicLongArray written = new AtomicLongArray(n);
		long[] reach = new long[n];
		Thread watcher = new Thread(() -> watch(b, old, written, reach), "reach-watcher");
		watcher.start();
		long started = System.nanoTime();
		for (int i = 0; i < n; i++) {
			written.set(i, System.nanoTime());
			a.put(ProductSource.product(KEYS + i, 2, 0));
		}
		long burstNanos = System.nanoTime() - started;
		watcher.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS + 60));
		int timeouts = 0;
		List<Long> reached = new ArrayList<>();
		for (long r : reach) {
			if (r < 0) {
				timeouts++;
			}
			else {
				reached.add(r);
			}
		}
		Map<String, Object> summary = Latencies.summary(reached.stream().mapToLong(Long::longValue).toArray());
		summary.put("timeouts", timeouts);
		summary.put("writesPerSecond", Math.round(n / (burstNanos / 1e9)));
		return summary;
	}

	/** Sweeps B's local tier until every key's old value is gone, or the time is up (-1). */
	private static void watch(CacheInstance b, Product[] old, AtomicLongArray written, long[] reach) {
		int n = old.length;
		boolean[] done = new boolean[n];
		int left = n;
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS + 30);
		while (left > 0 && System.nanoTime() < deadline) {
			for (int i = 0; i < n; i++) {
				if (done[i]) {
					continue;
				}
				long at = written.get(i);
				if (at != 0 && !old[i].equals(b.peekLocal(old[i].id()))) {
					reach[i] = System.nanoTime() - at;
					done[i] = true;
					left--;
				}
			}
			LockSupport.parkNanos(POLL_MICROS * 1000);
		}
		for (int i = 0; i < n; i++) {
			if (!done[i]) {
				reach[i] = -1;
			}
		}
	}

	private Map<String, Object> pubSubFloor() throws InterruptedException {
		RedisClient client = RedisClient.create(RedisURI.create(Instances.HOST, this.port));
		try (StatefulRedisConnection<String, String> publisher = client.connect();
				StatefulRedisPubSubConnection<String, String> subscriber = client.connectPubSub()) {
			LinkedBlockingQueue<Long> received = new LinkedBlockingQueue<>();
			subscriber.addListener(new RedisPubSubAdapter<>() {

				@Override
				public void message(String channel, String message) {
					received.add(System.nanoTime());
				}

			});
			String channel = RedisAccess.uniquePrefix("reach-floor");
			subscriber.sync().subscribe(channel);
			long[] times = new long[this.writes];
			for (int i = 0; i < this.writes; i++) {
				long t0 = System.nanoTime();
				publisher.sync().publish(channel, "x");
				Long at = received.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
				times[i] = (at != null) ? at - t0 : TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
			}
			return Latencies.summary(times);
		}
		finally {
			client.shutdown();
		}
	}

}
