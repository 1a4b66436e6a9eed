package dev.tieredcache.local;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

import dev.tieredcache.TieredCacheOperations;
import dev.tieredcache.actuate.TieredCacheEndpoint;
import dev.tieredcache.actuate.TieredCacheHealthIndicator;
import dev.tieredcache.annotation.ReadThroughAll;
import dev.tieredcache.annotation.WriteBehind;
import dev.tieredcache.autoconfigure.TieredCacheAutoConfiguration;
import dev.tieredcache.autoconfigure.TieredCacheHealthContributorAutoConfiguration;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.interceptor.UserRepository;
import dev.tieredcache.interceptor.UserRepository.User;
import dev.tieredcache.redis.InvalidationSubscription;
import dev.tieredcache.redis.RedisCommandExecutor;
import dev.tieredcache.test.TestThreads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The L1-only mode ({@code tiered-cache.redis.enabled=false}): no Redis at all, and the
 * annotations keep their semantics inside the JVM.
 */
@ExtendWith(OutputCaptureExtension.class)
class LocalOnlyModeTests {

	/** Without Spring Boot's Redis auto-configuration: no connection factory at all. */
	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, TieredCacheAutoConfiguration.class,
				TieredCacheHealthContributorAutoConfiguration.class))
		.withPropertyValues("tiered-cache.redis.enabled=false",
				"tiered-cache.serialization.allowed-packages=dev.tieredcache")
		.withUserConfiguration(ServicesConfiguration.class);

	@Test
	void needsNoConnectionFactoryAndReportsTheMode() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			TieredCacheManager manager = context.getBean(TieredCacheManager.class);
			assertThat(manager.getServices().localOnly()).isTrue();
			assertThat(context).doesNotHaveBean(RedisCommandExecutor.class)
				.doesNotHaveBean(InvalidationSubscription.class);
			Health health = context.getBean(TieredCacheHealthIndicator.class).health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("mode", "local")
				.doesNotContainKeys("circuit", "subscription");
			TieredCacheEndpoint endpoint = new TieredCacheEndpoint(manager,
					context.getBean(TieredCacheOperations.class), null);
			context.getBean(UserRepository.class).find(1);
			assertThat(endpoint.caches().mode()).isEqualTo("local");
			assertThat(endpoint.caches().caches()).containsKey("users");
		});
	}

	@Test
	void withRedisConfiguredOnAClosedPortNoConnectionIsAttemptedAndNothingIsLogged(CapturedOutput output)
			throws IOException {
		int closed;
		try (ServerSocket socket = new ServerSocket(0)) {
			closed = socket.getLocalPort();
		}
		this.runner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + closed,
					"spring.data.redis.timeout=200ms")
			.run((context) -> {
				UserRepository repository = context.getBean(UserRepository.class);
				repository.insert(new User(1, 10, "alice"));
				assertThat(repository.find(1)).isEqualTo(new User(1, 10, "alice"));
				assertThat(repository.find(1)).isEqualTo(new User(1, 10, "alice"));
				repository.moveUser(1, 10, 11);
				repository.save(new User(2, 10, "bob"));
				repository.publishTeamReport(10);
				context.getBean(TieredCacheManager.class).getCache("users").clear();
				assertThat(repository.find(2)).isEqualTo(new User(2, 10, "bob"));
				assertThat(repository.finds()).hasValue(2);
				assertThat(context.getBean(TieredCacheManager.class).pendingInvalidations()).isZero();
			});
		assertThat(output.getAll()).doesNotContain("WARN").doesNotContain("ERROR").doesNotContain("Exception");
	}

	@Test
	void concurrentMissesOfOneKeyLoadOnce() {
		this.runner.run((context) -> {
			UserRepository repository = context.getBean(UserRepository.class);
			repository.insert(new User(1, 10, "alice"));
			repository.setLatency(Duration.ofMillis(300));
			CountDownLatch start = new CountDownLatch(1);
			List<CompletableFuture<User>> calls = new ArrayList<>();
			for (int i = 0; i < 8; i++) {
				calls.add(CompletableFuture.supplyAsync(() -> {
					awaitQuietly(start);
					return repository.find(1);
				}, TestThreads.EACH_ON_ITS_OWN));
			}
			start.countDown();
			for (CompletableFuture<User> call : calls) {
				assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo(new User(1, 10, "alice"));
			}
			assertThat(repository.finds()).hasValue(1);
		});
	}

	@Test
	void anInvalidatedTagMakesEveryEntryCarryingItAMiss() {
		this.runner.run((context) -> {
			UserRepository repository = context.getBean(UserRepository.class);
			repository.insert(new User(1, 10, "alice"));
			repository.find(1);
			repository.profile(1);
			repository.moveUser(1, 10, 20);
			assertThat(repository.find(1)).isEqualTo(new User(1, 20, "alice"));
			assertThat(repository.profile(1)).contains(new User(1, 20, "alice"));
			assertThat(repository.finds()).hasValue(2);
			assertThat(repository.profiles()).hasValue(2);
		});
	}

	@Test
	void aBumpedVersionedGroupMakesItsEntriesMisses() {
		this.runner.run((context) -> {
			UserRepository repository = context.getBean(UserRepository.class);
			String first = repository.dashboard(1, 7);
			assertThat(repository.dashboard(1, 7)).isEqualTo(first);
			repository.dashboard(2, 8);
			repository.publishTeamReport(7);
			assertThat(repository.dashboard(1, 7)).isNotEqualTo(first);
			repository.dashboard(2, 8);
			assertThat(repository.dashboards()).as("team 8's entry survived").hasValue(3);
		});
	}

	@Test
	void clearEmptiesTheCacheAndWritesAndEvictionsApply() {
		this.runner.run((context) -> {
			UserRepository repository = context.getBean(UserRepository.class);
			TieredCache users = context.getBean(TieredCacheManager.class).getCache("users");
			repository.insert(new User(1, 10, "alice"));
			repository.find(1);
			users.clear();
			repository.find(1);
			assertThat(repository.finds()).hasValue(2);
			repository.save(new User(1, 10, "alicia"));
			assertThat(repository.find(1)).isEqualTo(new User(1, 10, "alicia"));
			assertThat(repository.finds()).as("the write-through value is served").hasValue(2);
			users.evict(1L);
			repository.find(1);
			assertThat(repository.finds()).hasValue(3);
		});
	}

	@Test
	void entriesExpireAfterTheCachesTtlNotTheLocalTtl() {
		this.runner.withPropertyValues("tiered-cache.caches.users.ttl=400ms", "tiered-cache.caches.users.jitter=0",
				"tiered-cache.caches.users.local.ttl=100ms")
			.run((context) -> {
				UserRepository repository = context.getBean(UserRepository.class);
				repository.insert(new User(1, 10, "alice"));
				long loaded = System.nanoTime();
				repository.find(1);
				repository.find(1);
				if (System.nanoTime() - loaded < TimeUnit.MILLISECONDS.toNanos(300)) {
					assertThat(repository.finds()).hasValue(1);
				}
				await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
					repository.find(1);
					assertThat(repository.finds()).hasValue(2);
				});
				assertThat(System.nanoTime() - loaded).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(400));
			});
	}

	@Test
	void nullsAreCachedForTheNullTtl() {
		this.runner.run((context) -> {
			UserRepository repository = context.getBean(UserRepository.class);
			assertThat(repository.find(99)).isNull();
			assertThat(repository.find(99)).isNull();
			assertThat(repository.finds()).hasValue(1);
		});
	}

	@Test
	void aBatchLoadsExactlyTheMissingKeysInOneCall() {
		this.runner.run((context) -> {
			Directory directory = context.getBean(Directory.class);
			assertThat(directory.names(List.of(1L, 2L))).containsOnlyKeys(1L, 2L);
			assertThat(directory.names(List.of(1L, 2L, 3L))).containsOnlyKeys(1L, 2L, 3L);
			assertThat(directory.calls()).containsExactly(Set.of(1L, 2L), Set.of(3L));
		});
	}

	@Test
	void completableFuturesAreCached() {
		this.runner.run((context) -> {
			UserRepository repository = context.getBean(UserRepository.class);
			repository.insert(new User(1, 10, "alice"));
			assertThat(repository.memberCount(10).get(10, TimeUnit.SECONDS)).isEqualTo(1L);
			assertThat(repository.memberCount(10).get(10, TimeUnit.SECONDS)).isEqualTo(1L);
			assertThat(repository.members()).hasValue(1);
		});
	}

	@Test
	void springsCacheableUsesTheManager() {
		this.runner.withUserConfiguration(CachingConfiguration.class).run((context) -> {
			PlainService plain = context.getBean(PlainService.class);
			assertThat(plain.square(3)).isEqualTo(9);
			assertThat(plain.square(3)).isEqualTo(9);
			assertThat(plain.calls()).hasValue(1);
			assertThat(context.getBean(TieredCacheManager.class).getCache("squares").getLocalSize()).isOne();
		});
	}

	@Test
	void cacheChangesInsideATransactionApplyAfterTheCommitAndVanishOnRollback() {
		this.runner.run((context) -> {
			TieredCache cache = context.getBean(TieredCacheManager.class).getCache("tx");
			TransactionTemplate transaction = new TransactionTemplate(new NoResourceTransactionManager());
			transaction.executeWithoutResult((status) -> {
				cache.put("a", "1");
				assertThat(cache.get("a")).as("not before the commit").isNull();
			});
			assertThat(cache.get("a", String.class)).isEqualTo("1");
			transaction.executeWithoutResult((status) -> {
				cache.evict("a");
				status.setRollbackOnly();
			});
			assertThat(cache.get("a", String.class)).isEqualTo("1");
		});
	}

	@Test
	void aValueLoadedInsideATransactionIsCachedAfterTheCommitOnly() {
		this.runner.run((context) -> {
			UserRepository repository = context.getBean(UserRepository.class);
			repository.insert(new User(1, 10, "alice"));
			TransactionTemplate transaction = new TransactionTemplate(new NoResourceTransactionManager());
			transaction.executeWithoutResult((status) -> {
				repository.find(1);
				status.setRollbackOnly();
			});
			repository.find(1);
			assertThat(repository.finds()).as("the rolled-back load was not kept").hasValue(2);
			transaction.executeWithoutResult((status) -> repository.find(2));
			transaction.executeWithoutResult((status) -> repository.find(2));
			repository.find(2);
			assertThat(repository.finds()).as("kept once the first transaction committed").hasValue(3);
		});
	}

	@Test
	void writeBehindRunsTheMethodAtOnce() {
		this.runner.run((context) -> {
			Seen seen = context.getBean(Seen.class);
			seen.save(1L, "now");
			assertThat(seen.saved()).containsExactly("1=now");
			assertThat(context.getBean(TieredCacheManager.class).getCache("seen").get(1L)).isNull();
		});
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class ServicesConfiguration {

		@Bean
		UserRepository userRepository() {
			return new UserRepository();
		}

		@Bean
		Directory directory() {
			return new Directory();
		}

		@Bean
		Seen seen() {
			return new Seen();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CachingConfiguration {

		@Bean
		PlainService plainService() {
			return new PlainService();
		}

	}

	public static class Directory {

		private final List<Set<Long>> calls = new CopyOnWriteArrayList<>();

		public List<Set<Long>> calls() {
			return this.calls;
		}

		@ReadThroughAll(cache = "directory")
		public Map<Long, String> names(Collection<Long> ids) {
			this.calls.add(new TreeSet<>(ids));
			Map<Long, String> names = new LinkedHashMap<>();
			ids.forEach((id) -> names.put(id, "user" + id));
			return names;
		}

	}

	public static class PlainService {

		private final AtomicInteger calls = new AtomicInteger();

		public AtomicInteger calls() {
			return this.calls;
		}

		@Cacheable("squares")
		public int square(int n) {
			this.calls.incrementAndGet();
			return n * n;
		}

	}

	public static class Seen {

		private final List<String> saved = new CopyOnWriteArrayList<>();

		public List<String> saved() {
			return this.saved;
		}

		@WriteBehind(cache = "seen")
		public void save(Long id, String when) {
			this.saved.add(id + "=" + when);
		}

	}

	/** A transaction manager with no resource: only transaction synchronization matters here. */
	static class NoResourceTransactionManager extends AbstractPlatformTransactionManager {

		@Override
		protected Object doGetTransaction() {
			return new Object();
		}

		@Override
		protected void doBegin(Object transaction, TransactionDefinition definition) {
		}

		@Override
		protected void doCommit(DefaultTransactionStatus status) {
		}

		@Override
		protected void doRollback(DefaultTransactionStatus status) {
		}

	}

}
