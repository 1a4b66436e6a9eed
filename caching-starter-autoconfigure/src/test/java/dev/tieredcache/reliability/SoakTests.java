package dev.tieredcache.reliability;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.tieredcache.TieredCacheOperations;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.interceptor.UserRepository;
import dev.tieredcache.interceptor.UserRepository.User;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bounded soak: two instances under mixed reads, writes and invalidations for a fixed
 * time (default 2 minutes, {@code -Dsoak.duration=30s} to shorten). Excluded from the
 * default run; {@code mvn -B verify -Psoak -pl caching-starter-autoconfigure -am} runs it.
 */
@Tag("soak")
class SoakTests {

	private static final int USERS = 5_000;

	private static final long L1_MAXIMUM = 1_000;

	private final String prefix = TestRedis.uniquePrefix("soak");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, this.prefix)
		.withPropertyValues("tiered-cache.defaults.ttl=20s", "tiered-cache.defaults.local.ttl=5s",
				"tiered-cache.defaults.local.maximum-size=" + L1_MAXIMUM, "tiered-cache.defaults.null-ttl=2s")
		.withUserConfiguration(RepositoryConfiguration.class);

	@Test
	void mixedLoadFromTwoInstancesLeavesNoErrorNoImmortalKeyAndAStableHeap() {
		Duration duration = Duration.parse("PT" + System.getProperty("soak.duration", "120s").toUpperCase());
		this.runner.run((a) -> this.runner.run((b) -> {
			List<UserRepository> repositories = List.of(a.getBean(UserRepository.class),
					b.getBean(UserRepository.class));
			List<TieredCacheOperations> operations = List.of(a.getBean(TieredCacheOperations.class),
					b.getBean(TieredCacheOperations.class));
			for (UserRepository repository : repositories) {
				for (long id = 0; id < USERS; id++) {
					repository.insert(new User(id, id % 50, "user-" + id));
				}
			}
			AtomicLong calls = new AtomicLong();
			AtomicLong errors = new AtomicLong();
			long heapAtStart = settledHeap();
			long end = System.nanoTime() + duration.toNanos();
			ExecutorService pool = Executors.newFixedThreadPool(8);
			List<Future<?>> workers = new ArrayList<>();
			for (int w = 0; w < 8; w++) {
				int worker = w;
				workers.add(pool.submit(() -> {
					UserRepository repository = repositories.get(worker % 2);
					TieredCacheOperations ops = operations.get(worker % 2);
					ThreadLocalRandom random = ThreadLocalRandom.current();
					while (System.nanoTime() < end) {
						long id = random.nextLong(USERS + 100);
						try {
							int dice = random.nextInt(100);
							if (dice < 80) {
								repository.find(id);
							}
							else if (dice < 90) {
								repository.save(new User(id, id % 50, "user-" + id + "-" + random.nextInt(1000)));
							}
							else if (dice < 95) {
								ops.invalidateTags("user:" + id);
							}
							else {
								repository.dashboard(id, id % 50);
							}
							calls.incrementAndGet();
						}
						catch (RuntimeException ex) {
							errors.incrementAndGet();
						}
					}
				}));
			}
			for (Future<?> worker : workers) {
				worker.get(duration.toSeconds() + 60, TimeUnit.SECONDS);
			}
			pool.shutdown();
			long heapAtEnd = settledHeap();
			System.out.printf("Soak: %d calls in %s, %d errors, heap %d MB -> %d MB%n", calls.get(), duration,
					errors.get(), heapAtStart >> 20, heapAtEnd >> 20);
			assertThat(errors).hasValue(0);
			for (var context : List.of(a, b)) {
				for (TieredCache cache : context.getBean(TieredCacheManager.class).getCaches()) {
					assertThat(cache.getLocalSize()).as("L1 size of %s", cache.getName()).isLessThanOrEqualTo(L1_MAXIMUM);
				}
			}
			assertThat(keysWithoutTtl()).as("keys under the prefix without a TTL").isEmpty();
			assertThat(heapAtEnd).as("heap after the soak").isLessThan(heapAtStart + (256L << 20));
		}));
	}

	private List<String> keysWithoutTtl() {
		List<String> immortal = new ArrayList<>();
		try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
			ScanCursor cursor = ScanCursor.INITIAL;
			do {
				KeyScanCursor<byte[]> page = redis.commands()
					.scan(cursor, ScanArgs.Builder.matches(this.prefix + "*").limit(1000));
				for (byte[] key : page.getKeys()) {
					if (redis.commands().pttl(key) == -1) {
						immortal.add(new String(key));
					}
				}
				cursor = page;
			}
			while (!cursor.isFinished());
		}
		return immortal;
	}

	private static long settledHeap() {
		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		for (int i = 0; i < 3; i++) {
			System.gc();
		}
		return memory.getHeapMemoryUsage().getUsed();
	}

	@Configuration(proxyBeanMethods = false)
	static class RepositoryConfiguration {

		@Bean
		UserRepository userRepository() {
			return new UserRepository();
		}

	}

}
