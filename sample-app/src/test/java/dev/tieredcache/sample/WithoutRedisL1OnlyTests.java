package dev.tieredcache.sample;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpStatus;

import dev.tieredcache.sample.TeamMembers.Member;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample in the L1-only mode ({@code tiered-cache.redis.enabled=false}), as an
 * application's own tests run it without Redis: the Redis configured is never connected to
 * (its port is closed), nothing is logged about it, and the cache keeps its semantics in the
 * JVM (cached reads and misses, batch reads of the missing ids only, write-through, tag
 * invalidation).
 */
@ExtendWith(OutputCaptureExtension.class)
class WithoutRedisL1OnlyTests {

	@Test
	void theAppCachesInTheJvmWithoutTryingRedis(CapturedOutput output) throws IOException {
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(SampleApplication.class).run(
				"--server.port=0", "--spring.data.redis.port=" + unusedPort(), "--sample.db-latency=0ms",
				"--tiered-cache.redis.enabled=false",
				"--spring.datasource.url=jdbc:h2:mem:sample-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1")) {
			Instance app = new Instance(context);
			long users = app.queries("user");
			assertThat(app.user(1).name()).isEqualTo("Alice");
			assertThat(app.user(1).name()).isEqualTo("Alice");
			assertThat(app.status("/users/999")).isEqualTo(HttpStatus.NOT_FOUND);
			assertThat(app.status("/users/999")).isEqualTo(HttpStatus.NOT_FOUND);
			assertThat(app.queries("user")).as("one load each, the missing user cached as missing")
				.isEqualTo(users + 2);

			long lists = app.queries("users");
			assertThat(app.users("1,6")).extracting(User::id).containsExactly(1L, 6L);
			assertThat(app.users("1,6,7")).extracting(User::id).containsExactly(1L, 6L, 7L);
			assertThat(app.queries("users")).as("the second list queried 7 only").isEqualTo(lists + 2);

			app.updateProfile(2, "bob@offline.example", "Works without Redis");
			long beforeRead = app.queries("user");
			assertThat(app.user(2).email()).isEqualTo("bob@offline.example");
			assertThat(app.queries("user")).as("written through").isEqualTo(beforeRead);

			assertThat(app.members(2).members()).extracting(Member::id).containsExactly(3L, 4L);
			app.moveUser(3, 3);
			assertThat(app.members(2).members()).as("the team tag was invalidated")
				.extracting(Member::id)
				.containsExactly(4L);

			app.http()
				.get()
				.uri("/actuator/health")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.components.tieredCache.status").isEqualTo("UP")
				.jsonPath("$.components.tieredCache.details.mode").isEqualTo("local");
		}
		assertThat(output.getAll()).doesNotContain("Redis does not answer").doesNotContain(" WARN ");
	}

	private static int unusedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
