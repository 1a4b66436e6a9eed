package dev.tieredcache.interceptor;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.Cache.ValueWrapper;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.reactive.AbstractReactiveTransactionManager;
import org.springframework.transaction.reactive.GenericReactiveTransaction;
import org.springframework.transaction.reactive.TransactionSynchronizationManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.transaction.support.TransactionTemplate;

import dev.tieredcache.annotation.ReadThrough;
import dev.tieredcache.cache.CacheStatistics.Tier;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.interceptor.UserRepository.User;
import dev.tieredcache.redis.RedisCommandExecutor;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * {@code Mono} and {@code Flux} results of annotated methods, on instances sharing one
 * Redis: the value is cached (a Flux as its list), not the publisher; the counters count
 * how often the method's publisher was really subscribed.
 */
class ReactiveReturnTypesTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final User ALICE = new User(1, 10, "alice");

	private final String prefix = TestRedis.uniquePrefix("reactive");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, this.prefix)
		.withUserConfiguration(RepositoryConfiguration.class);

	@Test
	void aMonoValueReachesRedisSoThreeSubscriptionsOnTwoInstancesLoadOnce() {
		this.runner.run((a) -> this.runner.run((b) -> {
			awaitRedis(a, b);
			ReactiveUserRepository repositoryA = a.getBean(ReactiveUserRepository.class);
			ReactiveUserRepository repositoryB = b.getBean(ReactiveUserRepository.class);
			repositoryA.insert(ALICE);
			repositoryB.insert(ALICE);
			assertThat(repositoryA.find(1).block(TIMEOUT)).isEqualTo(ALICE);
			assertThat(repositoryA.find(1).block(TIMEOUT)).isEqualTo(ALICE);
			assertThat(repositoryB.find(1).block(TIMEOUT)).isEqualTo(ALICE);
			assertThat(repositoryA.finds().get() + repositoryB.finds().get()).as("loads on both instances").isEqualTo(1);
			assertThat(cache(b, "users").getStatistics().hits(Tier.L2)).isEqualTo(1);
		}));
	}

	@Test
	void aFluxIsCachedAsItsListAndEmittedAgainOnTheOtherInstance() {
		this.runner.run((a) -> this.runner.run((b) -> {
			awaitRedis(a, b);
			ReactiveUserRepository repositoryA = a.getBean(ReactiveUserRepository.class);
			ReactiveUserRepository repositoryB = b.getBean(ReactiveUserRepository.class);
			User bob = new User(2, 10, "bob");
			for (ReactiveUserRepository repository : List.of(repositoryA, repositoryB)) {
				repository.insert(ALICE);
				repository.insert(bob);
				repository.insert(new User(3, 20, "carol"));
			}
			assertThat(repositoryA.team(10).collectList().block(TIMEOUT)).containsExactly(ALICE, bob);
			assertThat(repositoryA.team(10).collectList().block(TIMEOUT)).containsExactly(ALICE, bob);
			assertThat(repositoryB.team(10).collectList().block(TIMEOUT)).as("elements read back with their type")
				.containsExactly(ALICE, bob);
			assertThat(repositoryA.teams().get() + repositoryB.teams().get()).isEqualTo(1);
			assertThat(cache(a, "teams").get(10L).get()).isEqualTo(List.of(ALICE, bob));
		}));
	}

	@Test
	void anEmptyMonoIsCachedAsNullForTheNullTtl() {
		this.runner.run((context) -> {
			awaitRedis(context);
			ReactiveUserRepository repository = context.getBean(ReactiveUserRepository.class);
			assertThat(repository.find(404).blockOptional(TIMEOUT)).isEmpty();
			assertThat(repository.find(404).blockOptional(TIMEOUT)).isEmpty();
			assertThat(repository.finds()).hasValue(1);
			ValueWrapper cached = cache(context, "users").get(404L);
			assertThat(cached).isNotNull();
			assertThat(cached.get()).isNull();
		});
	}

	@Test
	void anEmptyMonoIsNotCachedWhenNullsAreNot() {
		this.runner.withPropertyValues("tiered-cache.caches.users.null-ttl=0s").run((context) -> {
			ReactiveUserRepository repository = context.getBean(ReactiveUserRepository.class);
			assertThat(repository.find(404).blockOptional(TIMEOUT)).isEmpty();
			assertThat(repository.find(404).blockOptional(TIMEOUT)).isEmpty();
			assertThat(repository.finds()).hasValue(2);
		});
	}

	@Test
	void anErrorOfTheMonoReachesTheSubscriberAndNothingIsCached() {
		this.runner.run((context) -> {
			awaitRedis(context);
			ReactiveUserRepository repository = context.getBean(ReactiveUserRepository.class);
			assertThatIllegalStateException().isThrownBy(() -> repository.failing(1).block(TIMEOUT))
				.withMessage("database down");
			assertThatIllegalStateException().isThrownBy(() -> repository.failing(1).block(TIMEOUT));
			assertThat(repository.finds()).as("each subscription loaded").hasValue(2);
			assertThat(cache(context, "users").get("failing:1")).isNull();
		});
	}

	@Test
	void nothingIsReadOrLoadedBeforeTheMonoIsSubscribedAndEachSubscriptionReadsTheCache() {
		this.runner.run((context) -> {
			awaitRedis(context);
			ReactiveUserRepository repository = context.getBean(ReactiveUserRepository.class);
			repository.insert(ALICE);
			Mono<User> find = repository.find(1);
			assertThat(repository.finds()).hasValue(0);
			assertThat(cache(context, "users").getStatistics().misses(Tier.L2)).isZero();
			assertThat(find.block(TIMEOUT)).isEqualTo(ALICE);
			assertThat(find.block(TIMEOUT)).isEqualTo(ALICE);
			assertThat(repository.finds()).as("the second subscription hit L1").hasValue(1);
		});
	}

	@Test
	void theSubscribersReactorContextReachesTheMethodsPublisher() {
		this.runner.run((context) -> {
			awaitRedis(context);
			ReactiveUserRepository repository = context.getBean(ReactiveUserRepository.class);
			assertThat(repository.greeting(1).contextWrite((ctx) -> ctx.put("tenant", "acme")).block(TIMEOUT))
				.isEqualTo("hello 1 from acme");
		});
	}

	@Test
	void thirtyTwoSubscribersPerInstanceOnOneColdKeySubscribeTheMethodOnceInTotal() {
		this.runner.run((a) -> this.runner.run((b) -> {
			awaitRedis(a, b);
			ReactiveUserRepository repositoryA = a.getBean(ReactiveUserRepository.class);
			ReactiveUserRepository repositoryB = b.getBean(ReactiveUserRepository.class);
			for (ReactiveUserRepository repository : List.of(repositoryA, repositoryB)) {
				repository.insert(ALICE);
				repository.setLatency(Duration.ofMillis(200));
			}
			List<User> users = Flux.range(0, 64)
				.flatMap((i) -> Mono.defer(() -> ((i % 2 == 0) ? repositoryA : repositoryB).find(1))
					.subscribeOn(Schedulers.parallel()), 64)
				.collectList()
				.block(TIMEOUT);
			assertThat(users).hasSize(64).containsOnly(ALICE);
			assertThat(repositoryA.finds().get() + repositoryB.finds().get()).isEqualTo(1);
		}));
	}

	@Test
	void aWriteThroughMonoWritesTheEmittedValueForTheOtherInstanceOnlyWhenSubscribed() {
		this.runner.run((a) -> this.runner.run((b) -> {
			awaitRedis(a, b);
			ReactiveUserRepository repositoryA = a.getBean(ReactiveUserRepository.class);
			ReactiveUserRepository repositoryB = b.getBean(ReactiveUserRepository.class);
			repositoryB.insert(ALICE);
			assertThat(repositoryB.find(1).block(TIMEOUT)).isEqualTo(ALICE);
			User alicia = new User(1, 10, "alicia");
			Mono<User> save = repositoryA.save(alicia);
			assertThat(cache(a, "users").get(1L).get()).as("not written before the subscription").isEqualTo(ALICE);
			assertThat(save.block(TIMEOUT)).isEqualTo(alicia);
			assertThat(cache(a, "users").get(1L).get()).as("written when the subscriber got the value")
				.isEqualTo(alicia);
			await().atMost(Duration.ofSeconds(1)).until(() -> alicia.equals(repositoryB.find(1).block(TIMEOUT)));
			assertThat(repositoryB.finds()).hasValue(1);
			assertThat(repositoryA.saves()).hasValue(1);
		}));
	}

	@Test
	void aFailingWriteThroughMonoWritesNothing() {
		this.runner.run((context) -> {
			awaitRedis(context);
			ReactiveUserRepository repository = context.getBean(ReactiveUserRepository.class);
			repository.insert(ALICE);
			repository.find(1).block(TIMEOUT);
			assertThatIllegalStateException()
				.isThrownBy(() -> repository.failingSave(new User(1, 10, "mallory")).block(TIMEOUT));
			assertThat(repository.find(1).block(TIMEOUT)).isEqualTo(ALICE);
			assertThat(repository.finds()).hasValue(1);
		});
	}

	@Test
	void anInvalidationOfAMonoMethodAppliesWhenItsPublisherCompletes() {
		this.runner.run((context) -> {
			awaitRedis(context);
			ReactiveUserRepository repository = context.getBean(ReactiveUserRepository.class);
			repository.insert(ALICE);
			assertThat(repository.team(10).collectList().block(TIMEOUT)).containsExactly(ALICE);
			Mono<Void> move = repository.moveUser(1, 10, 20);
			assertThat(repository.team(10).collectList().block(TIMEOUT)).as("nothing happened yet")
				.containsExactly(ALICE);
			move.block(TIMEOUT);
			assertThat(repository.team(10).collectList().block(TIMEOUT)).isEmpty();
			assertThat(repository.teams()).hasValue(2);
		});
	}

	@Test
	void anInvalidationBeforeAMonoMethodAppliesWhenItIsSubscribed() {
		this.runner.run((context) -> {
			awaitRedis(context);
			ReactiveUserRepository repository = context.getBean(ReactiveUserRepository.class);
			repository.insert(ALICE);
			assertThat(repository.team(10).collectList().block(TIMEOUT)).containsExactly(ALICE);
			Mono<Void> disband = repository.disband(10);
			assertThat(repository.team(10).collectList().block(TIMEOUT)).as("nothing happened yet")
				.containsExactly(ALICE);
			disband.block(TIMEOUT);
			assertThat(repository.team(10).collectList().block(TIMEOUT)).isEmpty();
			assertThat(repository.teams()).hasValue(2);
		});
	}

	@Test
	void aWriteThroughMonoEmittedInsideAThreadBoundTransactionWritesAfterTheCommit() {
		this.runner.run((context) -> {
			awaitRedis(context);
			ReactiveUserRepository repository = context.getBean(ReactiveUserRepository.class);
			repository.insert(ALICE);
			repository.find(1).block(TIMEOUT);
			TieredCache users = cache(context, "users");
			User alicia = new User(1, 10, "alicia");
			new TransactionTemplate(new TransactionTests.NoResourceTransactionManager()).executeWithoutResult((status) -> {
				assertThat(repository.save(alicia).block(TIMEOUT)).isEqualTo(alicia);
				assertThat(users.get(1L).get()).as("not before the commit").isEqualTo(ALICE);
			});
			assertThat(users.get(1L).get()).isEqualTo(alicia);
		});
	}

	@Test
	void staleWhileRevalidateServesTheOldValueOfAMonoWhileOneRefreshSubscribesTheMethodAgain() {
		this.runner.withBean(QuoteService.class)
			.withPropertyValues("tiered-cache.caches.quotes.ttl=300ms", "tiered-cache.caches.quotes.jitter=0",
					"tiered-cache.caches.quotes.local.ttl=50ms",
					"tiered-cache.caches.quotes.stale-while-revalidate=10s")
			.run((context) -> {
				awaitRedis(context);
				QuoteService quotes = context.getBean(QuoteService.class);
				long end = System.nanoTime() + Duration.ofMillis(1500).toNanos();
				while (System.nanoTime() < end) {
					assertThat(quotes.quote("ACME").block(TIMEOUT)).startsWith("ACME@");
					LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
				}
				assertThat(quotes.foregroundLoads()).as("loads a subscriber waited for").hasValue(1);
				assertThat(quotes.backgroundLoads()).as("revalidations").hasPositiveValue();
				assertThat(cache(context, "quotes").getStatistics().staleServed()).isPositive();
			});
	}

	@Test
	void aWriteThroughMonoInsideAReactiveTransactionWritesAfterTheCommit() {
		this.runner.run((context) -> {
			awaitRedis(context);
			ReactiveUserRepository repository = context.getBean(ReactiveUserRepository.class);
			repository.insert(ALICE);
			repository.find(1).block(TIMEOUT);
			TieredCache users = cache(context, "users");
			AtomicReference<Object> atCommit = new AtomicReference<>();
			NoResourceReactiveTransactionManager manager = new NoResourceReactiveTransactionManager(
					() -> atCommit.set(users.get(1L).get()));
			User alicia = new User(1, 10, "alicia");
			TransactionalOperator.create(manager).transactional(repository.save(alicia)).block(TIMEOUT);
			assertThat(atCommit.get()).as("the cache still held the old value at the commit").isEqualTo(ALICE);
			assertThat(users.get(1L).get()).isEqualTo(alicia);
		});
	}

	@Test
	void aWriteThroughMonoInsideARolledBackReactiveTransactionWritesNothing() {
		this.runner.run((context) -> {
			awaitRedis(context);
			ReactiveUserRepository repository = context.getBean(ReactiveUserRepository.class);
			repository.insert(ALICE);
			repository.find(1).block(TIMEOUT);
			NoResourceReactiveTransactionManager manager = new NoResourceReactiveTransactionManager(() -> {
			});
			Mono<User> saveThenFail = repository.save(new User(1, 10, "mallory"))
				.then(Mono.error(new IllegalStateException("constraint violated")));
			assertThatIllegalStateException()
				.isThrownBy(() -> TransactionalOperator.create(manager).transactional(saveThenFail).block(TIMEOUT));
			assertThat(manager.rolledBack).isTrue();
			assertThat(cache(context, "users").get(1L).get()).isEqualTo(ALICE);
		});
	}

	/**
	 * Waits until every instance reaches Redis: a first context in a cold JVM may take
	 * longer to connect than the start-up wait, and these scenarios must go through Redis.
	 */
	static void awaitRedis(ApplicationContext... contexts) {
		for (ApplicationContext context : contexts) {
			await().atMost(Duration.ofSeconds(30))
				.until(() -> !context.getBean(RedisCommandExecutor.class).circuit().isOpen());
		}
	}

	private static TieredCache cache(ApplicationContext context, String name) {
		return context.getBean(TieredCacheManager.class).getCache(name);
	}

	/** A reactive transaction manager with no resource: only synchronization matters here. */
	static class NoResourceReactiveTransactionManager extends AbstractReactiveTransactionManager {

		private final Runnable onCommit;

		volatile boolean rolledBack;

		NoResourceReactiveTransactionManager(Runnable onCommit) {
			this.onCommit = onCommit;
		}

		@Override
		protected Object doGetTransaction(TransactionSynchronizationManager synchronizationManager) {
			return new Object();
		}

		@Override
		protected Mono<Void> doBegin(TransactionSynchronizationManager synchronizationManager, Object transaction,
				TransactionDefinition definition) {
			return Mono.empty();
		}

		@Override
		protected Mono<Void> doCommit(TransactionSynchronizationManager synchronizationManager,
				GenericReactiveTransaction status) {
			return Mono.fromRunnable(this.onCommit);
		}

		@Override
		protected Mono<Void> doRollback(TransactionSynchronizationManager synchronizationManager,
				GenericReactiveTransaction status) {
			return Mono.fromRunnable(() -> this.rolledBack = true);
		}

	}

	/** A slow quote source that tells loads for a subscriber from background ones. */
	public static class QuoteService {

		private final AtomicInteger foreground = new AtomicInteger();

		private final AtomicInteger background = new AtomicInteger();

		public AtomicInteger foregroundLoads() {
			return this.foreground;
		}

		public AtomicInteger backgroundLoads() {
			return this.background;
		}

		@ReadThrough(cache = "quotes", key = "#symbol")
		public Mono<String> quote(String symbol) {
			return Mono.fromCallable(() -> {
				boolean refresh = Thread.currentThread().getName().startsWith("tiered-cache-refresh-");
				(refresh ? this.background : this.foreground).incrementAndGet();
				return symbol + "@" + System.nanoTime();
			}).delayElement(Duration.ofMillis(100));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RepositoryConfiguration {

		@Bean
		ReactiveUserRepository reactiveUserRepository() {
			return new ReactiveUserRepository();
		}

	}

}
