package dev.tieredcache.review5;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.tieredcache.annotation.ReadThrough;
import dev.tieredcache.annotation.WriteBehind;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * review5: an expression that throws at call time fails the call. {@code CacheExpression.value}
 * catches only SpEL's {@code EvaluationException}, but SpEL rethrows a
 * {@code RuntimeException} thrown by a method the expression calls as it is (here
 * {@code UUID.fromString}'s {@code IllegalArgumentException}), so it escapes both
 * {@code WriteBehindInterceptor} (whose javadoc promises that "an expression [that] cannot
 * be evaluated" makes the method run at once) and {@code TieredCacheInterceptor} (which
 * otherwise logs "the call runs uncached"). A cache failure fails a read and a write: the
 * {@code @WriteBehind} method never runs, the {@code @ReadThrough} caller gets an exception
 * instead of its value. (The message escaping with it also quotes the key,
 * {@code Invalid UUID string: <key>}, into whatever logs the caller's error.)
 */
@ExtendWith(OutputCaptureExtension.class)
class ExpressionErrorEscapesTests {

	private static final String SECRET = "alice.secret@example.com";

	private static ApplicationContextRunner runner() {
		return Instances.runner(TestRedis.SHARED_PORT, TestRedis.uniquePrefix("review5-spel"))
			.withBean(Users.class, Users::new)
			.withPropertyValues("tiered-cache.defaults.write-behind.flush-interval=1h",
					"tiered-cache.shutdown-timeout=1s");
	}

	/**
	 * Sequence: a {@code @WriteBehind} whose key is {@code T(java.util.UUID).fromString(#id)}
	 * is called with an id that is not a UUID. Observed: the call throws
	 * {@code IllegalArgumentException: Invalid UUID string: alice.secret@example.com}; the
	 * method did not run: the write is lost unless the caller retries. Expected: as for any
	 * expression that cannot be evaluated, the method runs at once, and a WARN names the
	 * method and the expression without the key.
	 */
	@Test
	void aThrowingWriteBehindKeyExpressionRunsTheMethodAtOnce(CapturedOutput output) {
		runner().run((a) -> {
			Users users = a.getBean(Users.class);
			assertThatCode(() -> users.touch(SECRET, 1L)).doesNotThrowAnyException();
			assertThat(users.calls()).as("ran at once").isEqualTo(1);
			assertThat(output).doesNotContain(SECRET);
		});
	}

	/** The same for {@code @ReadThrough}: expected the call to run uncached and return its value. */
	@Test
	void aThrowingReadThroughKeyExpressionRunsTheCallUncached(CapturedOutput output) {
		runner().run((a) -> {
			Users users = a.getBean(Users.class);
			assertThatCode(() -> assertThat(users.find(SECRET)).isEqualTo("user")).doesNotThrowAnyException();
			assertThat(output).doesNotContain(SECRET);
		});
	}

	static class Users {

		final AtomicInteger calls = new AtomicInteger();

		@WriteBehind(cache = "users", key = "T(java.util.UUID).fromString(#id)")
		public void touch(String id, Long seen) {
			this.calls.incrementAndGet();
		}

		public int calls() {
			return this.calls.get();
		}

		@ReadThrough(cache = "profiles", key = "T(java.util.UUID).fromString(#id)")
		public String find(String id) {
			return "user";
		}

	}

}
