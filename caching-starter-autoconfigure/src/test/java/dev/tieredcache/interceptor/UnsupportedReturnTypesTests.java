package dev.tieredcache.interceptor;

import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import kotlin.coroutines.Continuation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.annotation.InvalidateTags;
import dev.tieredcache.annotation.ReadThrough;
import dev.tieredcache.annotation.WriteThrough;
import dev.tieredcache.interceptor.UserRepository.User;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Return types the starter cannot cache faithfully, and Kotlin {@code suspend} functions,
 * fail start-up with a message that names the annotation, the method and the type, instead
 * of caching the wrong thing.
 */
class UnsupportedReturnTypesTests {

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT,
			TestRedis.uniquePrefix("unsupported-return-types"));

	static List<Arguments> refusedMethods() {
		return List.of(
				Arguments.of(StreamService.class, "@ReadThrough on StreamService.find(long) returns java.util.stream.Stream",
						"consumed only once"),
				Arguments.of(IteratorService.class,
						"@ReadThrough on IteratorService.find(long) returns java.util.Iterator", "consumed only once"),
				Arguments.of(FlowPublisherService.class,
						"@ReadThrough on FlowPublisherService.find(long) returns java.util.concurrent.Flow$Publisher",
						"only Mono, Flux and CompletableFuture"),
				Arguments.of(PublisherService.class,
						"@WriteThrough on PublisherService.save(User) returns org.reactivestreams.Publisher",
						"only Mono, Flux and CompletableFuture"),
				Arguments.of(FutureService.class,
						"@ReadThrough on FutureService.find(long) returns java.util.concurrent.Future",
						"cannot be awaited without blocking"),
				Arguments.of(FutureSubclassService.class,
						"@ReadThrough on FutureSubclassService.find(long) returns "
								+ FutureSubclassService.Later.class.getName(),
						"handed back only as a CompletableFuture"),
				Arguments.of(SuspendService.class,
						"@ReadThrough on SuspendService.find(long, Continuation) is a Kotlin suspend function",
						"returning Mono<T>"),
				Arguments.of(SuspendInvalidationService.class,
						"@InvalidateTags on SuspendInvalidationService.rename(long, Continuation) is a Kotlin suspend function",
						"returning Mono<T>"));
	}

	@ParameterizedTest
	@MethodSource("refusedMethods")
	void anUnsupportedReturnTypeFailsStartUpNamingTheMethodAndTheType(Class<?> service, String culprit,
			String reason) {
		this.runner.withBean(service).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).hasStackTraceContaining(culprit).hasStackTraceContaining(reason);
		});
	}

	@Test
	void everySupportedReturnTypeStartsAndUnannotatedMethodsMayReturnAnything() {
		this.runner.withBean(SupportedService.class).run((context) -> assertThat(context).hasNotFailed());
	}

	public static class StreamService {

		@ReadThrough(cache = "users")
		public Stream<User> find(long id) {
			return Stream.empty();
		}

	}

	public static class IteratorService {

		@ReadThrough(cache = "users")
		public Iterator<User> find(long id) {
			return List.<User>of().iterator();
		}

	}

	public static class FlowPublisherService {

		@ReadThrough(cache = "users")
		public Flow.Publisher<User> find(long id) {
			return null;
		}

	}

	public static class PublisherService {

		@WriteThrough(cache = "users", key = "#user.id")
		public Publisher<User> save(User user) {
			return Flux.just(user);
		}

	}

	public static class FutureService {

		@ReadThrough(cache = "users")
		public Future<User> find(long id) {
			return CompletableFuture.completedFuture(null);
		}

	}

	public static class FutureSubclassService {

		@ReadThrough(cache = "users")
		public Later find(long id) {
			return new Later();
		}

		/** A future of its own kind: the cache could not hand one back. */
		public static class Later extends CompletableFuture<User> {

		}

	}

	/** What {@code suspend fun find(id: Long): User?} compiles to. */
	public static class SuspendService {

		@ReadThrough(cache = "users")
		public Object find(long id, Continuation<? super User> continuation) {
			return null;
		}

	}

	/** What {@code suspend fun rename(id: Long)} compiles to. */
	public static class SuspendInvalidationService {

		@InvalidateTags("'user:' + #id")
		public Object rename(long id, Continuation<? super kotlin.Unit> continuation) {
			return null;
		}

	}

	/** Every supported kind, and a stream on a method that caches nothing. */
	public static class SupportedService {

		@ReadThrough(cache = "users")
		public List<User> list(long id) {
			return List.of();
		}

		@ReadThrough(cache = "users")
		public java.util.concurrent.CompletionStage<User> stage(long id) {
			return CompletableFuture.completedFuture(null);
		}

		@ReadThrough(cache = "users")
		public Flux<User> flux(long id) {
			return Flux.empty();
		}

		@ReadThrough(cache = "users")
		public reactor.core.publisher.Mono<User> mono(long id) {
			return reactor.core.publisher.Mono.empty();
		}

		@ReadThrough(cache = "users")
		public java.util.Optional<User> optional(long id) {
			return java.util.Optional.empty();
		}

		public Stream<User> uncached(long id) {
			return Stream.empty();
		}

	}

}
