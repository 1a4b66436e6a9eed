package dev.tieredcache.actuate;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.lettuce.core.resource.Delay;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.redis.RedisCommandExecutor;
import dev.tieredcache.test.RedisServerProcess;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /actuator/health} of a full web application whose Redis is stopped under it: with
 * the settings of a cache-only Redis the application stays in service and the
 * {@code tieredCache} component says the circuit is open; with Spring Boot's defaults its
 * {@code redis} indicator takes the application down while {@code tieredCache} stays up.
 * Each test runs its own {@code redis-server}.
 */
class TieredCacheHealthWebTests {

	private static final JsonMapper json = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void withACacheOnlyRedisHealthStaysUpWhileRedisIsDownAndShowsTheCircuitOpenThenClosed() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start();
				ConfigurableApplicationContext app = start(redis.port(), "management.health.redis.enabled=false")) {
			JsonNode up = health(app, 200);
			assertThat(up.get("components").has("redis")).isFalse();
			assertThat(up.at("/components/tieredCache/details/circuit").asString()).isEqualTo("closed");

			redis.kill();
			openCircuit(app);
			JsonNode degraded = health(app, 200);
			assertThat(degraded.get("status").asString()).isEqualTo("UP");
			assertThat(degraded.at("/components/tieredCache/status").asString()).isEqualTo("UP");
			assertThat(degraded.at("/components/tieredCache/details/circuit").asString()).isEqualTo("open");

			redis.restart();
			Awaitility.await("circuit closed in /actuator/health")
				.atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(200))
				.until(() -> "closed".equals(health(app, 200).at("/components/tieredCache/details/circuit").asString()));
		}
	}

	@Test
	void withSpringBootsRedisIndicatorRedisDownTakesTheApplicationDownButNotTheCacheComponent() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start();
				ConfigurableApplicationContext app = start(redis.port())) {
			assertThat(health(app, 200).at("/components/redis/status").asString()).isEqualTo("UP");
			redis.kill();
			openCircuit(app);
			JsonNode down = health(app, 503);
			assertThat(down.get("status").asString()).isEqualTo("DOWN");
			assertThat(down.at("/components/redis/status").asString()).isEqualTo("DOWN");
			assertThat(down.at("/components/tieredCache/status").asString()).isEqualTo("UP");
			assertThat(down.at("/components/tieredCache/details/circuit").asString()).isEqualTo("open");
		}
	}

	@Test
	void anOpenCircuitStatusOfDownTakesTheApplicationDown() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start();
				ConfigurableApplicationContext app = start(redis.port(), "management.health.redis.enabled=false",
						"tiered-cache.health.open-circuit-status=DOWN")) {
			health(app, 200);
			redis.kill();
			openCircuit(app);
			JsonNode down = health(app, 503);
			assertThat(down.at("/components/tieredCache/status").asString()).isEqualTo("DOWN");
			assertThat(down.at("/components/tieredCache/details/circuit").asString()).isEqualTo("open");
		}
	}

	/** Reads through the cache until enough Redis failures open the circuit. */
	private static void openCircuit(ConfigurableApplicationContext app) {
		TieredCache cache = app.getBean(dev.tieredcache.cache.TieredCacheManager.class).getCache("health");
		RedisCommandExecutor executor = app.getBean(RedisCommandExecutor.class);
		Awaitility.await("circuit open")
			.atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(10))
			.until(() -> {
				cache.get("key", () -> "value");
				cache.evict("key");
				return executor.circuit().isOpen();
			});
	}

	private ConfigurableApplicationContext start(int redisPort, String... properties) {
		List<String> args = new ArrayList<>(List.of("--server.port=0", "--spring.data.redis.host=127.0.0.1",
				"--spring.data.redis.port=" + redisPort, "--spring.data.redis.timeout=1s",
				"--tiered-cache.key-prefix=" + TestRedis.uniquePrefix("health-web"),
				"--tiered-cache.serialization.allowed-packages=java,dev.tieredcache",
				"--tiered-cache.redis.circuit-open-duration=200ms",
				"--management.endpoints.web.exposure.include=health",
				"--management.endpoint.health.show-details=always"));
		for (String property : properties) {
			args.add("--" + property);
		}
		return new SpringApplicationBuilder(Application.class).run(args.toArray(String[]::new));
	}

	private JsonNode health(ConfigurableApplicationContext app, int expectedStatus)
			throws IOException, InterruptedException {
		String port = app.getEnvironment().getRequiredProperty("local.server.port");
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health")).GET().build(),
				BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedStatus);
		return json.readTree(response.body());
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

		// Lettuce backs off up to 30 s between reconnection attempts; the restart is seen at once.
		@Bean
		ClientResourcesBuilderCustomizer quickReconnect() {
			return (builder) -> builder.reconnectDelay(Delay.constant(Duration.ofMillis(100)));
		}

	}

}
