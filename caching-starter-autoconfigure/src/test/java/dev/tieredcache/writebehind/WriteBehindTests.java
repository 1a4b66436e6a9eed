package dev.tieredcache.writebehind;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.metrics.TieredCacheWriteBehindMetrics;
import dev.tieredcache.redis.RedisWriteBehindStore;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.RedisServerProcess;
import dev.tieredcache.test.TestRedis;
import dev.tieredcache.test.TestThreads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code @WriteBehind} against real Redis, with two application contexts as two instances
 * sharing one stand-in database ({@link Ledger}).
 */
class WriteBehindTests {

	private static final String NEVER = "1h";

	private static ApplicationContextRunner runner(String prefix, Ledger ledger, String... properties) {
		return runner(Instances.runner(TestRedis.SHARED_PORT, prefix), ledger, properties);
	}

	private static ApplicationContextRunner runner(ApplicationContextRunner base, Ledger ledger,
			String... properties) {
		return base.withBean(Ledger.class, () -> ledger)
			.withBean(Repositories.PerKey.class, () -> new Repositories.PerKey(ledger))
			.withBean(Repositories.Batch.class, () -> new Repositories.Batch(ledger))
			.withPropertyValues(properties);
	}

	private static TieredCache cache(ApplicationContext context, String name) {
		return context.getBean(TieredCacheManager.class).getCache(name);
	}

	@Test
	void aPendingValueIsReadOnEveryInstanceAndOutlivesItsTtlUntilFlushed() {
		Ledger ledger = new Ledger();
		String prefix = TestRedis.uniquePrefix("wb-ryw");
		ApplicationContextRunner runner = runner(prefix, ledger, "tiered-cache.defaults.ttl=200ms",
				"tiered-cache.defaults.local.ttl=100ms", "tiered-cache.defaults.write-behind.flush-interval=" + NEVER);
		runner.run((a) -> runner.run((b) -> {
			assertThat(cache(b, "seen").get("k", Long.class)).isNull();
			a.getBean(Repositories.PerKey.class).save("k", 7L);
			assertThat(ledger.calls).as("the body did not run").hasValue(0);
			await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
				assertThat(cache(a, "seen").get("k", Long.class)).isEqualTo(7L);
				assertThat(cache(b, "seen").get("k", Long.class)).isEqualTo(7L);
			});
			try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
				byte[] entry = (prefix + "c:{seen@k}").getBytes();
				assertThat(redis.commands().pttl(entry)).as("no TTL while pending").isEqualTo(-1L);
				a.getBean(WriteBehindFlusher.class).flushDue("seen");
				assertThat(ledger.applied("k")).containsExactly(7L);
				assertThat(redis.commands().pttl(entry)).as("TTL restored by the ack").isPositive();
				assertThat(redis.commands().exists((prefix + "q:{seen@k}").getBytes())).isZero();
			}
		}));
	}

	@Test
	void aPendingWriteIsStoredInTheLayoutEarlierReleasesFlush() {
		// During a rolling upgrade an instance of the release before envelope format 5 may
		// claim the write: it reads formats 2 to 4 only (review8).
		Ledger ledger = new Ledger();
		String prefix = TestRedis.uniquePrefix("wb-layout");
		runner(prefix, ledger, "tiered-cache.defaults.write-behind.flush-interval=" + NEVER).run((context) -> {
			context.getBean(Repositories.PerKey.class).save("k", 5L);
			try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
				byte[] value = redis.commands().get((prefix + "c:{seen@k}").getBytes());
				byte[] key = redis.commands().hget((prefix + "q:{seen@k}").getBytes(), "k".getBytes());
				assertThat(value[dev.tieredcache.redis.RedisKeyLayout.ENTRY_HEADER
						+ dev.tieredcache.serialization.EntryCodec.FORMAT_OFFSET]).as("the pending value's format")
					.isBetween(dev.tieredcache.serialization.EntryCodec.FORMAT_VERSION,
							dev.tieredcache.serialization.EntryCodec.SCHEMA_FORMAT_VERSION);
				assertThat(key[dev.tieredcache.serialization.EntryCodec.FORMAT_OFFSET]).as("the key's format")
					.isEqualTo(dev.tieredcache.serialization.EntryCodec.FORMAT_VERSION);
			}
			context.getBean(WriteBehindFlusher.class).flushDue("seen");
			assertThat(ledger.applied("k")).containsExactly(5L);
		});
	}

	@Test
	void writesOfOneKeyBetweenTwoFlushesReachTheDatabaseOnceWithTheLastValue() {
		Ledger ledger = new Ledger();
		ApplicationContextRunner runner = runner(TestRedis.uniquePrefix("wb-coalesce"), ledger,
				"tiered-cache.defaults.write-behind.flush-interval=" + NEVER);
		runner.run((a) -> {
			Repositories.PerKey repository = a.getBean(Repositories.PerKey.class);
			for (long v = 1; v <= 100; v++) {
				repository.save("k", v);
			}
			a.getBean(WriteBehindFlusher.class).flushDue("seen");
			assertThat(ledger.calls).hasValue(1);
			assertThat(ledger.applied("k")).containsExactly(100L);
			assertThat(a.getBean(WriteBehindStatistics.class).of("seen").coalescedCount()).isEqualTo(99);
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			new TieredCacheWriteBehindMetrics(a.getBeanProvider(MeterRegistry.class),
					a.getBean(WriteBehindMethods.class), a.getBean(WriteBehindStatistics.class))
				.bindTo(registry);
			assertThat(registry.get("tiered.cache.write.behind.coalesced").tag("cache", "seen").functionCounter()
				.count()).isEqualTo(99);
			assertThat(registry.get("tiered.cache.write.behind.flushes").tags("cache", "seen", "result", "success")
				.functionTimer()
				.count()).isEqualTo(1);
			assertThat(registry.get("tiered.cache.write.behind.pending").tag("cache", "seen").gauge().value())
				.isZero();
		});
	}

	@Test
	void flushAllGetsTheBatch() {
		Ledger ledger = new Ledger();
		ApplicationContextRunner runner = runner(TestRedis.uniquePrefix("wb-batch"), ledger,
				"tiered-cache.caches.items.write-behind.flush-interval=" + NEVER,
				"tiered-cache.caches.items.write-behind.batch-size=10");
		runner.run((a) -> {
			Repositories.Batch repository = a.getBean(Repositories.Batch.class);
			for (int i = 0; i < 25; i++) {
				repository.save(new Ledger.Item("i" + i, i));
			}
			a.getBean(WriteBehindFlusher.class).flushDue("items");
			assertThat(ledger.calls).as("three batches of at most 10").hasValue(3);
			for (int i = 0; i < 25; i++) {
				assertThat(ledger.applied("i" + i)).containsExactly((long) i);
			}
		});
	}

	@Test
	void theDatabaseNeverReceivesAnOlderValueOfAKeyAfterANewerOne() {
		Ledger ledger = new Ledger();
		ledger.delayMillis = 5;
		ApplicationContextRunner runner = runner(TestRedis.uniquePrefix("wb-order"), ledger,
				"tiered-cache.defaults.write-behind.flush-interval=20ms");
		runner.run((a) -> runner.run((b) -> {
			AtomicLong version = new AtomicLong();
			Object order = new Object();
			List<CompletableFuture<Void>> writers = new ArrayList<>();
			for (ApplicationContext instance : List.of(a, b)) {
				Repositories.PerKey repository = instance.getBean(Repositories.PerKey.class);
				writers.add(CompletableFuture.runAsync(() -> {
					for (int i = 0; i < 150; i++) {
						// Versions are issued in the order the writes reach Redis.
						synchronized (order) {
							repository.save("k" + (i % 3), version.incrementAndGet());
						}
					}
				}, TestThreads.EACH_ON_ITS_OWN));
			}
			CompletableFuture.allOf(writers.toArray(new CompletableFuture<?>[0])).join();
			long last = version.get();
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				long max = 0;
				for (int k = 0; k < 3; k++) {
					List<Long> applied = ledger.applied("k" + k);
					assertThat(applied).as("k" + k + " never goes backwards").isSorted();
					max = Math.max(max, applied.isEmpty() ? 0 : applied.get(applied.size() - 1));
				}
				assertThat(max).isEqualTo(last);
			});
			assertThat(ledger.calls.get()).as("coalesced").isLessThan(300);
		}));
	}

	@Test
	void aFlushSlowerThanClaimAfterKeepsItsClaimSoANewerValueIsFlushedAfterIt() {
		Ledger ledger = new Ledger();
		ledger.holdFirst.set(true);
		ApplicationContextRunner runner = runner(TestRedis.uniquePrefix("wb-renew"), ledger,
				"tiered-cache.defaults.write-behind.flush-interval=50ms",
				"tiered-cache.defaults.write-behind.claim-after=600ms");
		runner.run((a) -> runner.run((b) -> {
			a.getBean(Repositories.PerKey.class).save("k", 1L);
			await().atMost(Duration.ofSeconds(2)).until(() -> ledger.calls.get() == 1);
			b.getBean(Repositories.PerKey.class).save("k", 2L);
			// Four leases long: without renewal another flusher would take the key over and
			// write 2 before the slow flush writes 1.
			await().during(Duration.ofMillis(2400)).atMost(Duration.ofSeconds(3))
				.untilAsserted(() -> assertThat(ledger.calls).as("nobody took the claim over").hasValue(1));
			ledger.release.countDown();
			await().atMost(Duration.ofSeconds(3))
				.untilAsserted(() -> assertThat(ledger.applied("k")).containsExactly(1L, 2L));
		}));
	}

	@Test
	void theClaimOfAFlusherThatDiedIsTakenOverOnceItsLeaseRunsOut() {
		Ledger ledger = new Ledger();
		ApplicationContextRunner runner = runner(TestRedis.uniquePrefix("wb-takeover"), ledger,
				"tiered-cache.defaults.write-behind.flush-interval=" + NEVER,
				"tiered-cache.defaults.write-behind.claim-after=1s");
		runner.run((a) -> {
			a.getBean(Repositories.PerKey.class).save("k", 1L);
			// A flusher claims the key and dies: no heartbeat renews its claim.
			RedisWriteBehindStore store = a.getBean(RedisWriteBehindStore.class);
			assertThat(store.claim("seen", 10, 1000)).containsExactly("k");
			assertThat(store.take("seen", "k", "dead-flusher", 1000)).isNotNull();
			WriteBehindFlusher flusher = a.getBean(WriteBehindFlusher.class);
			flusher.flushDue("seen");
			assertThat(ledger.applied("k")).as("the lease is live").isEmpty();
			await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
				flusher.flushDue("seen");
				assertThat(ledger.applied("k")).containsExactly(1L);
			});
		});
	}

	@Test
	void aFlushThatKeepsFailingGoesToTheDeadLettersAndCanBeReplayed() {
		Ledger ledger = new Ledger();
		ledger.failing = true;
		ApplicationContextRunner runner = runner(TestRedis.uniquePrefix("wb-dead"), ledger,
				"tiered-cache.defaults.write-behind.flush-interval=20ms",
				"tiered-cache.defaults.write-behind.backoff=20ms", "tiered-cache.defaults.write-behind.max-attempts=3");
		runner.run((a) -> {
			a.getBean(Repositories.PerKey.class).save("k", 5L);
			WriteBehindDeadLetters deadLetters = a.getBean(WriteBehindDeadLetters.class);
			WriteBehindStatistics.Counters counters = a.getBean(WriteBehindStatistics.class).of("seen");
			// Copied to the stream first, then no longer pending and counted.
			await().atMost(Duration.ofSeconds(5)).until(() -> counters.deadLetterCount() == 1);
			assertThat(deadLetters.count("seen")).isEqualTo(1);
			assertThat(ledger.calls).hasValue(3);
			assertThat(cache(a, "seen").get("k")).as("the database does not hold it: neither does the cache")
				.isNull();
			WriteBehindDeadLetters.Letter letter = deadLetters.list("seen", 10).get(0);
			assertThat(letter.attempts()).isEqualTo(3);
			assertThat(letter.error()).isEqualTo(IllegalStateException.class.getName());

			ledger.failing = false;
			assertThat(deadLetters.replay("seen", letter.id())).isEqualTo(WriteBehindDeadLetters.Replay.PENDING);
			assertThat(deadLetters.count("seen")).isZero();
			await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(ledger.applied("k")).containsExactly(5L));
		});
	}

	@Test
	void aReplayedDeleteIssuedBeforeAPendingWriteSparesIt() throws Exception {
		Ledger ledger = new Ledger();
		String prefix = TestRedis.uniquePrefix("wb-replay");
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			ApplicationContextRunner runner = runner(Instances.runner(redis.port(), prefix), ledger,
					"tiered-cache.redis.command-timeout=300ms", "tiered-cache.redis.circuit-failure-threshold=10",
					"tiered-cache.redis.repair-interval=1h",
					"tiered-cache.defaults.write-behind.flush-interval=" + NEVER);
			runner.run((a) -> {
				TieredCacheManager manager = a.getBean(TieredCacheManager.class);
				// An eviction whose command times out is replayed as a delete of anything older.
				redis.pause();
				try {
					cache(a, "seen").evict("k");
				}
				finally {
					redis.resume();
				}
				assertThat(manager.pendingInvalidations()).isEqualTo(1);
				a.getBean(Repositories.PerKey.class).save("k", 3L);
				manager.replayPending();
				assertThat(manager.pendingInvalidations()).isZero();
				assertThat(redis.cli("PTTL", prefix + "c:{seen@k}")).as("still pending").isEqualTo("-1");
				assertThat(cache(a, "seen").get("k", Long.class)).isEqualTo(3L);
				a.getBean(WriteBehindFlusher.class).flushDue("seen");
				assertThat(ledger.applied("k")).containsExactly(3L);
			});
		}
	}

	@Test
	void anEvictionAfterAPendingWriteSupersedesIt() {
		Ledger ledger = new Ledger();
		String prefix = TestRedis.uniquePrefix("wb-supersede");
		runner(Instances.runner(TestRedis.SHARED_PORT, prefix), ledger,
				"tiered-cache.defaults.write-behind.flush-interval=" + NEVER)
			.run((a) -> {
				a.getBean(Repositories.PerKey.class).save("k", 3L);
				// The application wrote the database itself, then evicted: 3 is outdated.
				cache(a, "seen").evict("k");
				assertThat(cache(a, "seen").get("k")).isNull();
				a.getBean(WriteBehindFlusher.class).flushDue("seen");
				assertThat(ledger.applied("k")).as("a superseded pending value is never flushed").isEmpty();
				assertThat(a.getBean(RedisWriteBehindStore.class).backlog("seen").count()).as("nothing pending")
					.isZero();
			});
	}

	@Test
	void whenRedisCannotTakeTheWriteTheMethodRunsAtOnce() throws Exception {
		Ledger ledger = new Ledger();
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			ApplicationContextRunner runner = runner(Instances.runner(redis.port(), TestRedis.uniquePrefix("wb-down")),
					ledger, "tiered-cache.redis.command-timeout=300ms",
					"tiered-cache.defaults.write-behind.flush-interval=" + NEVER);
			runner.run((a) -> {
				redis.kill();
				a.getBean(Repositories.PerKey.class).save("k", 9L);
				assertThat(ledger.applied("k")).containsExactly(9L);
				assertThat(a.getBean(WriteBehindStatistics.class).of("seen").fallbackCount()).isEqualTo(1);
			});
		}
	}

	@Test
	void pendingWritesAreFlushedAtShutdown() {
		Ledger ledger = new Ledger();
		ApplicationContextRunner runner = runner(TestRedis.uniquePrefix("wb-shutdown"), ledger,
				"tiered-cache.defaults.write-behind.flush-interval=" + NEVER);
		runner.run((a) -> {
			a.getBean(Repositories.PerKey.class).save("k", 4L);
			a.getBean(Repositories.Batch.class).save(new Ledger.Item("i", 8));
			assertThat(ledger.calls).hasValue(0);
		});
		assertThat(ledger.applied("k")).containsExactly(4L);
		assertThat(ledger.applied("i")).containsExactly(8L);
	}

	@Test
	void aWriteBehindMethodThatReturnsAValueFailsStartUpNamingIt() {
		Instances.runner(TestRedis.SHARED_PORT, TestRedis.uniquePrefix("wb-bad"))
			.withBean(Repositories.NotVoid.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("NotVoid.save(String, Long)")
				.hasMessageContaining("must return void"));
	}

	@Test
	void aFlushAllOfTheWrongSignatureFailsStartUpNamingIt() {
		Instances.runner(TestRedis.SHARED_PORT, TestRedis.uniquePrefix("wb-bad"))
			.withBean(Repositories.BadFlushAll.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("BadFlushAll.save(Item)")
				.hasMessageContaining("saveAll"));
	}

	@Test
	void aWriteBehindMethodOnAMissingCacheFailsStartUpNamingIt() {
		Ledger ledger = new Ledger();
		runner(TestRedis.uniquePrefix("wb-bad"), ledger, "tiered-cache.dynamic=false",
				"tiered-cache.caches.items.ttl=1m")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("@WriteBehind on PerKey.save(String, Long) uses cache 'seen'"));
	}

}
