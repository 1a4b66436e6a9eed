package dev.tieredcache.metrics;

import java.io.IOException;
import java.util.List;
import java.util.function.Predicate;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.Cache;
import org.springframework.context.ApplicationContext;

import dev.tieredcache.cache.CacheObserver;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.RedisServerProcess;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Loads and Redis reads are observed ({@code tiered.cache.load},
 * {@code tiered.cache.l2.read}) when the application has an {@code ObservationRegistry},
 * against the real Redis; L1 hits never are.
 */
class TieredCacheObservationTests {

	private final String prefix = TestRedis.uniquePrefix("observation");

	private ApplicationContextRunner runner(TestObservationRegistry registry) {
		return Instances.runner(TestRedis.SHARED_PORT, this.prefix)
			.withBean(ObservationRegistry.class, () -> registry)
			.withPropertyValues("tiered-cache.caches.products.ttl=10m");
	}

	@Test
	void aMissObservesTheRedisReadAndTheLoadAndAnL1HitObservesNothing() {
		TestObservationRegistry registry = TestObservationRegistry.create();
		runner(registry).run((context) -> {
			TieredCache products = cache(context);
			assertThat(products.get("1", () -> "one")).isEqualTo("one");
			TestObservationRegistryAssert.assertThat(registry)
				.hasNumberOfObservationsWithNameEqualTo("tiered.cache.l2.read", 1)
				.hasNumberOfObservationsWithNameEqualTo("tiered.cache.load", 1);
			TestObservationRegistryAssert.assertThat(registry)
				.hasObservationWithNameEqualTo("tiered.cache.load")
				.that()
				.hasLowCardinalityKeyValue("cache", "products")
				.hasLowCardinalityKeyValue("outcome", "success")
				.hasContextualNameEqualTo("tiered.cache.load products")
				.hasBeenStarted()
				.hasBeenStopped();
			TestObservationRegistryAssert.assertThat(registry)
				.hasObservationWithNameEqualTo("tiered.cache.l2.read")
				.that()
				.hasLowCardinalityKeyValue("cache", "products")
				.hasLowCardinalityKeyValue("outcome", "miss");

			registry.clear();
			assertThat(products.get("1", () -> "never")).isEqualTo("one");
			assertThat(products.get("1", String.class)).isEqualTo("one");
			TestObservationRegistryAssert.assertThat(registry).doesNotHaveAnyObservation();
		});
	}

	@Test
	void anotherInstanceReadingTheValueObservesAnL2Hit() {
		TestObservationRegistry registryA = TestObservationRegistry.create();
		TestObservationRegistry registryB = TestObservationRegistry.create();
		runner(registryA).run((a) -> runner(registryB).run((b) -> {
			cache(a).get("2", () -> "two");
			assertThat(cache(b).get("2", String.class)).isEqualTo("two");
			TestObservationRegistryAssert.assertThat(registryB)
				.hasNumberOfObservationsWithNameEqualTo("tiered.cache.l2.read", 1)
				.hasNumberOfObservationsWithNameEqualTo("tiered.cache.load", 0)
				.hasObservationWithNameEqualTo("tiered.cache.l2.read")
				.that()
				.hasLowCardinalityKeyValue("outcome", "hit");
		}));
	}

	@Test
	void aFailedLoadIsObservedAsAFailureWithItsError() {
		TestObservationRegistry registry = TestObservationRegistry.create();
		runner(registry).run((context) -> {
			IllegalStateException failure = new IllegalStateException("source down");
			assertThatExceptionOfType(Cache.ValueRetrievalException.class)
				.isThrownBy(() -> cache(context).get("3", () -> {
					throw failure;
				}))
				.withCause(failure);
			TestObservationRegistryAssert.assertThat(registry)
				.hasObservationWithNameEqualTo("tiered.cache.load")
				.that()
				.hasLowCardinalityKeyValue("outcome", "failure")
				.assertThatError()
				.isSameAs(failure);
		});
	}

	@Test
	void whatTheLoaderObservesNestsUnderTheLoad() {
		TestObservationRegistry registry = TestObservationRegistry.create();
		runner(registry).run((context) -> {
			cache(context).get("4", () -> Observation.createNotStarted("database.query", registry)
				.observe(() -> "four"));
			TestObservationRegistryAssert.assertThat(registry).hasHandledContextsThatSatisfy((contexts) -> {
				Observation.Context query = find(contexts, (c) -> c.getName().equals("database.query"));
				assertThat(query.getParentObservation()).isNotNull();
				assertThat(query.getParentObservation().getContextView().getName()).isEqualTo("tiered.cache.load");
			});
		});
	}

	@Test
	void aReadWhileRedisIsDownIsObservedAsAnError() throws IOException {
		TestObservationRegistry registry = TestObservationRegistry.create();
		Instances.runner(RedisServerProcess.freePort(), this.prefix)
			.withBean(ObservationRegistry.class, () -> registry)
			.run((context) -> {
				assertThat(cache(context).get("5", () -> "five")).isEqualTo("five");
				TestObservationRegistryAssert.assertThat(registry)
					.hasObservationWithNameEqualTo("tiered.cache.l2.read")
					.that()
					.hasLowCardinalityKeyValue("outcome", "error")
					.hasError();
				TestObservationRegistryAssert.assertThat(registry)
					.hasObservationWithNameEqualTo("tiered.cache.load")
					.that()
					.hasLowCardinalityKeyValue("outcome", "success");
			});
	}

	@Test
	void withoutAnObservationRegistryTheCachesObserveNothing() {
		Instances.runner(TestRedis.SHARED_PORT, this.prefix)
			.run((context) -> assertThat(context.getBean(TieredCacheManager.class).getServices().observer())
				.isSameAs(CacheObserver.NONE));
	}

	@Test
	void withoutMicrometerObservationOnTheClasspathTheCachesObserveNothing() {
		Instances.runner(TestRedis.SHARED_PORT, this.prefix)
			.withClassLoader(new FilteredClassLoader("io.micrometer.observation"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(TieredCacheManager.class).getServices().observer())
					.isSameAs(CacheObserver.NONE);
				assertThat(cache(context).get("6", () -> "six")).isEqualTo("six");
			});
	}

	private static Observation.Context find(List<Observation.Context> contexts, Predicate<Observation.Context> test) {
		return contexts.stream().filter(test).findFirst().orElseThrow();
	}

	private static TieredCache cache(ApplicationContext context) {
		return context.getBean(TieredCacheManager.class).getCache("products");
	}

}
