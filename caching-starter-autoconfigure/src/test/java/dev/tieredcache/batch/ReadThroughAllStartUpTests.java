package dev.tieredcache.batch;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.annotation.ReadThroughAll;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code @ReadThroughAll} method the starter cannot serve fails start-up, naming the method
 * and what is wrong.
 */
class ReadThroughAllStartUpTests {

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT,
			TestRedis.uniquePrefix("read-through-all-start-up"));

	@Test
	void aMethodThatDoesNotReturnAMapFailsStartUpNamingIt() {
		this.runner.withBean(ReturnsList.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure())
				.hasStackTraceContaining("@ReadThroughAll on ReturnsList.findAll(List) needs a method that returns Map, not List");
		});
	}

	@Test
	void twoCollectionParametersWithoutKeysFailStartUpNamingTheMethod() {
		this.runner.withBean(TwoCollections.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure())
				.hasStackTraceContaining("@ReadThroughAll on TwoCollections.findAll(List, List) has several");
		});
	}

	@Test
	void keysThatNameNoCollectionParameterFailStartUpNamingTheExpression() {
		this.runner.withBean(KeysNotACollection.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).hasStackTraceContaining(
					"keys '#tenant' of @ReadThroughAll on KeysNotACollection.findAll(String, List) must name a List");
		});
	}

	@Test
	void aMalformedTagFailsStartUpNamingTheExpression() {
		this.runner.withBean(MalformedTag.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).hasStackTraceContaining(
					"Invalid SpEL expression ''user:' +' (tag of @ReadThroughAll on MalformedTag.findAll(List))");
		});
	}

	public static class ReturnsList {

		@ReadThroughAll(cache = "users")
		public List<String> findAll(List<Long> ids) {
			return List.of();
		}

	}

	public static class TwoCollections {

		@ReadThroughAll(cache = "users")
		public Map<Long, String> findAll(List<Long> ids, List<String> fields) {
			return Map.of();
		}

	}

	public static class KeysNotACollection {

		@ReadThroughAll(cache = "users", keys = "#tenant")
		public Map<Long, String> findAll(String tenant, List<Long> ids) {
			return Map.of();
		}

	}

	public static class MalformedTag {

		@ReadThroughAll(cache = "users", tags = "'user:' +")
		public Map<Long, String> findAll(List<Long> ids) {
			return Map.of();
		}

	}

}
