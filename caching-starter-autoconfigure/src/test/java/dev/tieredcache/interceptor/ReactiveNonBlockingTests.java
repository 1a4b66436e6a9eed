package dev.tieredcache.interceptor;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import dev.tieredcache.cache.CacheStatistics.Tier;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.interceptor.FutureReturnTypesTests.Counters;
import dev.tieredcache.interceptor.UserRepository.User;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * With BlockHound watching Reactor's non-blocking threads, subscribers on
 * {@code Schedulers.parallel()} go through a miss, an L2 hit, an L1 hit, a stampede and
 * a write without any of them blocking such a thread.
 *
 * <p>BlockHound redefines JDK classes, which needs
 * {@code -XX:+AllowRedefinitionToAddDeleteMethods} on JDK 13 and later, and cannot be
 * uninstalled; so these tests run in a JVM of their own (the {@code non-blocking-tests}
 * execution of Surefire) and are skipped in any other.
 */
@Tag("non-blocking")
@EnabledIf(value = "redefinitionIsAllowed", disabledReason = "needs -XX:+AllowRedefinitionToAddDeleteMethods")
class ReactiveNonBlockingTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final User ALICE = new User(1, 10, "alice");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT,
			TestRedis.uniquePrefix("non-blocking"))
		.withBean(ReactiveUserRepository.class)
		.withBean(Counters.class);

	static boolean redefinitionIsAllowed() {
		return ManagementFactory.getRuntimeMXBean().getInputArguments()
			.contains("-XX:+AllowRedefinitionToAddDeleteMethods");
	}

	@BeforeAll
	static void installBlockHound() {
		// A first context in a cold JVM can take longer to connect than the start-up wait;
		// warmed up, the instances below reach Redis at once.
		Instances.runner(TestRedis.SHARED_PORT, TestRedis.uniquePrefix("non-blocking-warm-up"))
			.run(ReactiveReturnTypesTests::awaitRedis);
		BlockHound.install();
	}

	@Test
	void blockHoundCatchesABlockingCallOnANonBlockingThread() {
		assertThatThrownBy(() -> onParallel(() -> Mono.fromCallable(() -> {
			Thread.sleep(1);
			return "slept";
		}))).satisfies((ex) -> assertThat(Exceptions.unwrap(ex)).isInstanceOf(BlockingOperationError.class));
	}

	@Test
	void aMissAnL2HitAndAnL1HitDoNotBlockTheSubscribersThread() {
		this.runner.run((a) -> this.runner.run((b) -> {
			ReactiveReturnTypesTests.awaitRedis(a, b);
			ReactiveUserRepository repositoryA = a.getBean(ReactiveUserRepository.class);
			ReactiveUserRepository repositoryB = b.getBean(ReactiveUserRepository.class);
			for (ReactiveUserRepository repository : List.of(repositoryA, repositoryB)) {
				repository.insert(ALICE);
				// The value comes from Reactor's timer thread, as from a non-blocking driver.
				repository.setLatency(Duration.ofMillis(20));
			}
			assertThat(onParallel(() -> repositoryA.find(1))).as("miss on A").isEqualTo(ALICE);
			assertThat(onParallel(() -> repositoryB.find(1))).as("L2 hit on B").isEqualTo(ALICE);
			assertThat(onParallel(() -> emittingThread(repositoryB.find(1)))).as("an L1 hit is emitted at once")
				.startsWith("parallel-");
			assertThat(onParallel(() -> emittingThread(repositoryA.find(1)))).startsWith("parallel-");
			assertThat(repositoryA.finds().get() + repositoryB.finds().get()).isEqualTo(1);
			assertThat(cache(b, "users").getStatistics().hits(Tier.L2)).isEqualTo(1);
			assertThat(onParallel(() -> repositoryA.team(10).collectList())).containsExactly(ALICE);
			assertThat(onParallel(() -> repositoryB.team(10).collectList())).containsExactly(ALICE);
			assertThat(onParallel(() -> repositoryB.team(10).collectList())).containsExactly(ALICE);
			assertThat(repositoryA.teams().get() + repositoryB.teams().get()).isEqualTo(1);
		}));
	}

	@Test
	void aStampedeOfSubscribersOnNonBlockingThreadsLoadsOnceWithoutBlockingThem() {
		this.runner.run((a) -> this.runner.run((b) -> {
			ReactiveReturnTypesTests.awaitRedis(a, b);
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
	void aWriteThroughMonoAndAnInvalidationDoNotBlockTheSubscribersThread() {
		this.runner.run((a) -> this.runner.run((b) -> {
			ReactiveReturnTypesTests.awaitRedis(a, b);
			ReactiveUserRepository repositoryA = a.getBean(ReactiveUserRepository.class);
			ReactiveUserRepository repositoryB = b.getBean(ReactiveUserRepository.class);
			repositoryB.insert(ALICE);
			assertThat(onParallel(() -> repositoryB.find(1))).isEqualTo(ALICE);
			User alicia = new User(1, 10, "alicia");
			assertThat(onParallel(() -> repositoryA.save(alicia))).isEqualTo(alicia);
			assertThat(onParallel(() -> repositoryA.find(1))).isEqualTo(alicia);
			assertThat(repositoryA.finds()).as("A read its own write").hasValue(0);
			onParallel(() -> repositoryA.moveUser(1, 10, 20).thenReturn(true));
		}));
	}

	@Test
	void aCompletableFutureCompletedOnANonBlockingThreadIsWrittenThroughWithoutBlockingIt() {
		this.runner.run((context) -> {
			ReactiveReturnTypesTests.awaitRedis(context);
			Counters counters = context.getBean(Counters.class);
			CompletableFuture<Long> write = counters.set(7, 70);
			Schedulers.parallel().schedule(counters::open);
			assertThat(write.get(10, TimeUnit.SECONDS)).isEqualTo(70L);
			assertThat(cache(context, "counts").get(7L).get()).isEqualTo(70L);
		});
	}

	private static <T> T onParallel(Supplier<Mono<T>> call) {
		return Mono.defer(call).subscribeOn(Schedulers.parallel()).block(TIMEOUT);
	}

	private static Mono<String> emittingThread(Mono<?> mono) {
		return mono.map((value) -> Thread.currentThread().getName());
	}

	private static dev.tieredcache.cache.TieredCache cache(ApplicationContext context, String name) {
		return context.getBean(TieredCacheManager.class).getCache(name);
	}

}
