package dev.tieredcache.audit;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;

import dev.tieredcache.annotation.ReadThrough;
import dev.tieredcache.autoconfigure.TieredCacheMetricsAutoConfiguration;
import dev.tieredcache.cache.HotKeyHash;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A row changed in the "database" behind the cache's back is found by the drift audit and
 * counted within one audit interval, and repaired on every instance when repair is on; a
 * write during an audit is never undone by a repair; audits keep to their rate. Two
 * application contexts on the shared Redis stand for two instances.
 */
@ExtendWith(OutputCaptureExtension.class)
class DriftAuditTests {

	private static final Duration INTERVAL = Duration.ofSeconds(2);

	private final String prefix = TestRedis.uniquePrefix("drift-audit");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, this.prefix)
		.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
				TieredCacheMetricsAutoConfiguration.class))
		.withBean(Prices.class)
		.withPropertyValues("tiered-cache.caches.prices.ttl=10m", "tiered-cache.caches.prices.local.ttl=5m",
				"tiered-cache.caches.prices.audit.enabled=true",
				"tiered-cache.caches.prices.audit.interval=" + INTERVAL.toMillis() + "ms",
				"tiered-cache.caches.prices.audit.sample-size=5");

	/** Reads the drifted key (hits offer it to the audit) until an audit counts the drift. */
	private static void readUntilDriftIsSeen(ApplicationContext context) {
		await().atMost(INTERVAL.plusSeconds(2)).until(() -> {
			prices(context).price("p1");
			return drift(context) >= 1;
		});
	}

	@Test
	void aRowChangedBehindTheCachesBackIsCountedAndRepairedOnEveryInstance(CapturedOutput output) {
		Database database = new Database();
		database.rows.put("p1", "10.00");
		this.runner.withPropertyValues("tiered-cache.caches.prices.audit.repair=true")
			.withBean(Database.class, () -> database)
			.run((a) -> this.runner.withBean(Database.class, () -> database).run((b) -> {
				assertThat(prices(a).price("p1")).isEqualTo("10.00");
				assertThat(prices(b).price("p1")).isEqualTo("10.00");
				database.rows.put("p1", "12.50");
				readUntilDriftIsSeen(a);
				assertThat(counter(a, "tiered.cache.drift.repairs")).isOne();
				// Repaired in Redis, and dropped from B's L1 (whose TTL is minutes) like any write.
				await().atMost(Duration.ofSeconds(2)).until(() -> prices(b).price("p1").equals("12.50"));
				assertThat(prices(a).price("p1")).isEqualTo("12.50");
				String hash = HotKeyHash.of(cache(a).encodedKey("p1"));
				assertThat(output).contains("differs from its loader's (key hash " + hash + "): repaired")
					.doesNotContain("12.50")
					.doesNotContain("10.00");
			}));
	}

	@Test
	void withoutRepairTheDriftIsCountedAndLeftInPlace() {
		Database database = new Database();
		database.rows.put("p1", "10.00");
		this.runner.withBean(Database.class, () -> database)
			.run((a) -> this.runner.withBean(Database.class, () -> database).run((b) -> {
				assertThat(prices(a).price("p1")).isEqualTo("10.00");
				assertThat(prices(b).price("p1")).isEqualTo("10.00");
				database.rows.put("p1", "12.50");
				readUntilDriftIsSeen(a);
				assertThat(counter(a, "tiered.cache.drift.repairs")).isZero();
				assertThat(prices(a).price("p1")).isEqualTo("10.00");
				assertThat(prices(b).price("p1")).isEqualTo("10.00");
				cache(b).clearLocal();
				assertThat(prices(b).price("p1")).as("what Redis holds").isEqualTo("10.00");
			}));
	}

	@Test
	void aWriteDuringAnAuditIsNeverUndoneByTheRepair() {
		Database database = new Database();
		database.rows.put("p1", "10.00");
		this.runner.withPropertyValues("tiered-cache.caches.prices.audit.repair=true")
			.withBean(Database.class, () -> database)
			.run((a) -> this.runner.withBean(Database.class, () -> database).run((b) -> {
				assertThat(prices(a).price("p1")).isEqualTo("10.00");
				database.rows.put("p1", "12.50");
				CountDownLatch reading = new CountDownLatch(1);
				CountDownLatch release = new CountDownLatch(1);
				database.holdAudits(reading, release);
				prices(a).price("p1");
				assertThat(reading.await(INTERVAL.plusSeconds(2).toMillis(), TimeUnit.MILLISECONDS))
					.as("an audit read the drifted row").isTrue();
				// The application writes while the audit holds the drifted row.
				database.rows.put("p1", "15.00");
				cache(b).put("p1", "15.00");
				release.countDown();
				await().atMost(Duration.ofSeconds(5)).until(() -> auditsDone(a) >= 1);
				assertThat(audits(a, DriftStatistics.Result.SKIPPED)).as("audits that saw the write").isOne();
				assertThat(drift(a)).isZero();
				assertThat(counter(a, "tiered.cache.drift.repairs")).isZero();
				assertThat(prices(a).price("p1")).isEqualTo("15.00");
				cache(b).clearLocal();
				assertThat(prices(b).price("p1")).isEqualTo("15.00");
			}));
	}

	@Test
	void auditsPerIntervalNeverExceedTheSampleSize() {
		Database database = new Database();
		for (int i = 0; i < 50; i++) {
			database.rows.put("p" + i, "1.00");
		}
		this.runner.withBean(Database.class, () -> database)
			.withPropertyValues("tiered-cache.caches.prices.audit.interval=1h",
					"tiered-cache.caches.prices.audit.sample-size=3")
			.run((a) -> {
				for (int round = 0; round < 4; round++) {
					for (int i = 0; i < 50; i++) {
						prices(a).price("p" + i);
					}
				}
				await().atMost(Duration.ofSeconds(5)).until(() -> audits(a, DriftStatistics.Result.MATCH) == 3);
				await().during(Duration.ofMillis(500))
					.atMost(Duration.ofSeconds(2))
					.until(() -> database.auditLoads.get() == 3);
				assertThat(database.loads.get()).as("loads of the first reads").isEqualTo(50);
			});
	}

	@Test
	void offByDefaultWithoutMetersOrAudits() {
		Database database = new Database();
		database.rows.put("p1", "10.00");
		Instances.runner(TestRedis.SHARED_PORT, this.prefix)
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
					CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
					TieredCacheMetricsAutoConfiguration.class))
			.withBean(Database.class, () -> database)
			.withBean(Prices.class)
			.run((context) -> {
				prices(context).price("p1");
				prices(context).price("p1");
				assertThat(cache(context).getDriftAudit()).isNull();
				assertThat(context.getBean(MeterRegistry.class).find("tiered.cache.audits").meters()).isEmpty();
				assertThat(database.auditLoads).hasValue(0);
			});
	}

	@Test
	void sampleSizeBelowOneFailsAtStartUpNamingTheProperty() {
		this.runner.withBean(Database.class).withPropertyValues("tiered-cache.defaults.audit.sample-size=0")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(InvalidConfigurationPropertyValueException.class)
					.hasMessageContaining("tiered-cache.defaults.audit.sample-size");
			});
	}

	@Test
	void zeroIntervalFailsAtStartUpNamingTheProperty() {
		this.runner.withBean(Database.class).withPropertyValues("tiered-cache.caches.prices.audit.interval=0s")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(InvalidConfigurationPropertyValueException.class)
					.hasMessageContaining("tiered-cache.caches.prices.audit.interval");
			});
	}

	private static Prices prices(ApplicationContext context) {
		return context.getBean(Prices.class);
	}

	private static TieredCache cache(ApplicationContext context) {
		return context.getBean(TieredCacheManager.class).getCache("prices");
	}

	private static double drift(ApplicationContext context) {
		return counter(context, "tiered.cache.drift");
	}

	private static double audits(ApplicationContext context, DriftStatistics.Result result) {
		return context.getBean(MeterRegistry.class)
			.get("tiered.cache.audits")
			.tags("cache", "prices", "result", result.tagValue())
			.functionCounter()
			.count();
	}

	private static double auditsDone(ApplicationContext context) {
		double done = 0;
		for (DriftStatistics.Result result : DriftStatistics.Result.values()) {
			done += audits(context, result);
		}
		return done;
	}

	private static double counter(ApplicationContext context, String name) {
		return context.getBean(MeterRegistry.class).get(name).tags("cache", "prices").functionCounter().count();
	}

	/** The source of truth: rows by id, readable behind the cache's back. */
	static class Database {

		final Map<String, String> rows = new ConcurrentHashMap<>();

		final AtomicInteger loads = new AtomicInteger();

		final AtomicInteger auditLoads = new AtomicInteger();

		private volatile CountDownLatch reading;

		private volatile CountDownLatch release;

		/** Makes the next background read signal once it has read, then wait for release. */
		void holdAudits(CountDownLatch reading, CountDownLatch release) {
			this.release = release;
			this.reading = reading;
		}

		String read(String id) throws InterruptedException {
			String row = this.rows.get(id);
			if (!Thread.currentThread().getName().startsWith("tiered-cache-refresh-")) {
				this.loads.incrementAndGet();
				return row;
			}
			this.auditLoads.incrementAndGet();
			CountDownLatch reading = this.reading;
			if (reading != null) {
				this.reading = null;
				reading.countDown();
				this.release.await(10, TimeUnit.SECONDS);
			}
			return row;
		}

	}

	/** A read-through service over the database. */
	public static class Prices {

		private final Database database;

		Prices(Database database) {
			this.database = database;
		}

		@ReadThrough(cache = "prices", key = "#id")
		public String price(String id) throws InterruptedException {
			return this.database.read(id);
		}

	}

}
