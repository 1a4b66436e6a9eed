package dev.tieredcache.batch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.tieredcache.TieredCacheOperations;
import dev.tieredcache.annotation.InvalidateTags;
import dev.tieredcache.annotation.ReadThrough;
import dev.tieredcache.annotation.ReadThroughAll;
import dev.tieredcache.annotation.VersionedGroup;
import dev.tieredcache.annotation.WriteThrough;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @ReadThroughAll} on the shared Redis: the method is called with exactly the missing
 * keys in its own parameter type, and each element is the entry single-key annotations
 * reach.
 */
class ReadThroughAllTests {

	private final String prefix = TestRedis.uniquePrefix("read-through-all");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, this.prefix)
		.withUserConfiguration(DirectoryConfiguration.class);

	@Test
	void theMethodIsCalledOnceWithExactlyTheMissingKeysInItsParameterType() {
		this.runner.run((context) -> {
			Directory directory = context.getBean(Directory.class);
			assertThat(directory.find(2)).isEqualTo("user 2");
			assertThat(directory.findAll(List.of(1L, 2L, 3L, 99L))).containsExactly(Map.entry(1L, "user 1"),
					Map.entry(2L, "user 2"), Map.entry(3L, "user 3"));
			assertThat(directory.findAllAsSet(Set.of(4L))).containsOnlyKeys(4L);
			assertThat(directory.findAllAsArray(new long[] { 1L, 5L })).containsOnlyKeys(1L, 5L);
			assertThat(directory.calls()).containsExactly("find 2", "list [1, 3, 99]", "set [4]", "array [5]");
			assertThat(directory.findAll(List.of(1L, 2L, 3L, 4L, 5L, 99L))).hasSize(5);
			assertThat(directory.find(3)).as("a single read reaches the batch's entry").isEqualTo("user 3");
			assertThat(directory.calls()).as("99 is cached as absent").hasSize(4);
		});
	}

	@Test
	void invalidatingOneElementsTagReloadsOnlyThatElement() {
		this.runner.run((context) -> {
			Directory directory = context.getBean(Directory.class);
			directory.findAll(List.of(1L, 2L, 3L));
			directory.touch(2L);
			directory.calls().clear();
			assertThat(directory.findAll(List.of(1L, 2L, 3L))).hasSize(3);
			assertThat(directory.calls()).containsExactly("list [2]");
		});
	}

	@Test
	void aWriteThroughOfOneElementIsWhatTheNextBatchReturns() {
		this.runner.run((context) -> {
			Directory directory = context.getBean(Directory.class);
			directory.findAll(List.of(1L, 2L));
			directory.rename(2L, "renamed");
			directory.calls().clear();
			assertThat(directory.findAll(List.of(1L, 2L))).containsExactly(Map.entry(1L, "user 1"),
					Map.entry(2L, "renamed"));
			assertThat(directory.calls()).isEmpty();
		});
	}

	@Test
	void aTagComputedFromTheValueInvalidatesThatElementOnly() {
		this.runner.run((context) -> {
			Directory directory = context.getBean(Directory.class);
			directory.byTeam(List.of(1L, 2L));
			directory.byTeam(List.of(1L, 2L));
			directory.byTeam(List.of(1L, 2L));
			assertThat(directory.calls()).as("the first load only learns the tags' versions; the second is cached")
				.containsExactly("team [1, 2]", "team [1, 2]");
			directory.calls().clear();
			context.getBean(TieredCacheOperations.class).invalidateTags("team:odd");
			assertThat(directory.byTeam(List.of(1L, 2L))).hasSize(2);
			assertThat(directory.calls()).containsExactly("team [1]");
		});
	}

	@Test
	void bumpingTheGroupReloadsEveryElementAndUnlessKeepsElementsOut() {
		this.runner.run((context) -> {
			Directory directory = context.getBean(Directory.class);
			directory.grouped(List.of(1L, 2L, 3L));
			directory.grouped(List.of(1L, 2L, 3L));
			assertThat(directory.calls()).as("3 is never cached (unless)").containsExactly("grouped [1, 2, 3]",
					"grouped [3]");
			directory.bump();
			directory.calls().clear();
			directory.grouped(List.of(1L, 2L));
			assertThat(directory.calls()).containsExactly("grouped [1, 2]");
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class DirectoryConfiguration {

		@Bean
		Directory directory() {
			return new Directory();
		}

	}

	/** A directory whose every method records the keys it was called with. */
	public static class Directory {

		private final List<String> calls = new CopyOnWriteArrayList<>();

		public List<String> calls() {
			return this.calls;
		}

		@ReadThrough(cache = "directory", key = "#id", tags = "'user:' + #id")
		public String find(long id) {
			this.calls.add("find " + id);
			return "user " + id;
		}

		@ReadThroughAll(cache = "directory", tags = "'user:' + #key")
		public Map<Long, String> findAll(List<Long> ids) {
			this.calls.add("list " + ids);
			return users(ids);
		}

		@ReadThroughAll(cache = "directory")
		public Map<Long, String> findAllAsSet(Set<Long> ids) {
			this.calls.add("set " + new ArrayList<>(ids));
			return users(ids);
		}

		@ReadThroughAll(cache = "directory", keys = "#ids")
		public Map<Long, String> findAllAsArray(long[] ids) {
			List<Long> list = new ArrayList<>();
			for (long id : ids) {
				list.add(id);
			}
			this.calls.add("array " + list);
			return users(list);
		}

		@ReadThroughAll(cache = "teams", tags = "'team:' + #value.team")
		public Map<Long, Member> byTeam(List<Long> ids) {
			this.calls.add("team " + ids);
			Map<Long, Member> members = new LinkedHashMap<>();
			ids.forEach((id) -> members.put(id, new Member(id, (id % 2 == 1) ? "odd" : "even")));
			return members;
		}

		@ReadThroughAll(cache = "grouped", unless = "#key == 3")
		@VersionedGroup("'directory'")
		public Map<Long, String> grouped(List<Long> ids) {
			this.calls.add("grouped " + ids);
			return users(ids);
		}

		@VersionedGroup(value = "'directory'", bump = true)
		public void bump() {
		}

		@InvalidateTags("'user:' + #id")
		public void touch(long id) {
		}

		@WriteThrough(cache = "directory", key = "#id", tags = "'user:' + #id")
		public String rename(long id, String name) {
			return name;
		}

		private static Map<Long, String> users(Iterable<Long> ids) {
			Map<Long, String> users = new LinkedHashMap<>();
			for (Long id : ids) {
				if (id != 99L) {
					users.put(id, "user " + id);
				}
			}
			return users;
		}

	}

	/** A member of a team. */
	public record Member(long id, String team) {
	}

}
