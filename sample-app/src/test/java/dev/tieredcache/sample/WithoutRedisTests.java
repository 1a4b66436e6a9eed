package dev.tieredcache.sample;

import java.io.IOException;
import java.net.ServerSocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The default run when Redis does not answer: the application still starts, serves from
 * L1 and the database, says so once in its log, and stays healthy.
 */
@ExtendWith(OutputCaptureExtension.class)
class WithoutRedisTests {

	@Test
	void theAppStartsServesFromL1SaysSoOnceAndStaysHealthy(CapturedOutput output) throws IOException {
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(SampleApplication.class)
			.run("--server.port=0", "--spring.data.redis.port=" + unusedPort(), "--sample.db-latency=0ms")) {
			Instance app = new Instance(context);
			long before = app.queries("user");
			assertThat(app.user(1).name()).isEqualTo("Alice");
			assertThat(app.user(1).name()).as("served from L1").isEqualTo("Alice");
			assertThat(app.queries("user")).isEqualTo(before + 1);
			app.updateProfile(1, "alice@offline.example", "Works without Redis");
			assertThat(app.user(1).email()).isEqualTo("alice@offline.example");
			assertThat(output).containsOnlyOnce("Redis does not answer at start-up");
			// A cache-only Redis: the app is in service, and its health says why it is degraded.
			app.http()
				.get()
				.uri("/actuator/health")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.status").isEqualTo("UP")
				.jsonPath("$.components.tieredCache.status").isEqualTo("UP")
				.jsonPath("$.components.tieredCache.details.circuit").isEqualTo("open");
		}
	}

	private static int unusedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
