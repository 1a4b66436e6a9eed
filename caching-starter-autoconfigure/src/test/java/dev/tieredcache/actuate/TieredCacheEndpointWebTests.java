package dev.tieredcache.actuate;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.tieredcache.TieredCacheOperations;
import dev.tieredcache.cache.HotKeyHash;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.CoordinationStatistics.InvalidationKind;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code tieredcache} endpoint, Spring Boot's {@code caches} endpoint and the Prometheus
 * scrape over HTTP, in a full application on a random port against the real Redis.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + TestRedis.SHARED_PORT,
				"tiered-cache.serialization.allowed-packages=java,dev.tieredcache",
				"tiered-cache.caches.products.ttl=10m", "tiered-cache.caches.products.local.maximum-size=500",
				"management.endpoints.web.exposure.include=tieredcache,caches,prometheus" })
class TieredCacheEndpointWebTests {

	private static final JsonMapper json = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newHttpClient();

	@Value("${local.server.port}")
	private int port;

	@Autowired
	private TieredCacheManager manager;

	@Autowired
	private TieredCacheOperations operations;

	@DynamicPropertySource
	static void keyPrefix(DynamicPropertyRegistry registry) {
		String prefix = TestRedis.uniquePrefix("endpoint-web");
		registry.add("tiered-cache.key-prefix", () -> prefix);
	}

	@Test
	void readShowsEachCacheWithItsSettingsAndHitRatiosButNoKeysOrValues() throws Exception {
		// A cache of this test's own, so that the other tests' calls do not move its ratios.
		TieredCache ratios = this.manager.getCache("ratios");
		ratios.get("sku-secret-key", () -> "secret-value");
		ratios.get("sku-secret-key", () -> "secret-value");
		HttpResponse<String> response = get("/actuator/tieredcache");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).doesNotContain("sku-secret-key").doesNotContain("secret-value");
		JsonNode caches = json.readTree(response.body()).get("caches");
		JsonNode products = caches.get("products").get("settings");
		assertThat(products.get("ttl").asString()).isEqualTo("PT10M");
		assertThat(products.get("localMaximumSize").asLong()).isEqualTo(500);
		JsonNode cache = caches.get("ratios");
		assertThat(cache.get("hitRatio").get("l1").asDouble()).isEqualTo(0.5);
		assertThat(cache.get("hitRatio").get("l2").asDouble()).isEqualTo(0.0);
		assertThat(cache.get("localSize").asLong()).isEqualTo(1);
		assertThat(json.readTree(response.body()).get("redisCircuitOpen").asBoolean()).isFalse();
	}

	@Test
	void readShowsTheHotKeysOfACacheAsHashesOnly() throws Exception {
		TieredCache hot = this.manager.getCache("hot");
		for (int i = 0; i < 400; i++) {
			hot.get("user:alice@example.com", () -> "profile");
		}
		HttpResponse<String> response = get("/actuator/tieredcache/hot");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).doesNotContain("alice");
		JsonNode hotKeys = json.readTree(response.body()).get("hotKeys");
		JsonNode top = hotKeys.get("keys").get(0);
		assertThat(top.get("hash").asString()).isEqualTo(HotKeyHash.of(TieredCache.encodeKey("user:alice@example.com")));
		assertThat(top.has("key")).isFalse();
		assertThat(top.get("reads").asLong()).isPositive();
		assertThat(hotKeys.get("share").asDouble()).isEqualTo(1.0);
	}

	@Test
	void readOfOneCacheAnswersNotFoundForAnUnknownCacheWithoutCreatingIt() throws Exception {
		this.manager.getCache("products");
		assertThat(get("/actuator/tieredcache/products").statusCode()).isEqualTo(200);
		assertThat(get("/actuator/tieredcache/no-such-cache").statusCode()).isEqualTo(404);
		assertThat(this.manager.getCacheNames()).doesNotContain("no-such-cache");
	}

	@Test
	void writeInvalidatesATagAndBumpsAGroup() throws Exception {
		long tagsBefore = this.manager.getCoordinationStatistics().invalidations(InvalidationKind.TAG, false);
		long versionBefore = this.operations.currentVersion("catalog");
		HttpResponse<String> tag = post("/actuator/tieredcache", "{\"tag\":\"promo\"}");
		assertThat(tag.statusCode()).isEqualTo(200);
		assertThat(json.readTree(tag.body()).get("tagInvalidated").asBoolean()).isTrue();
		assertThat(this.manager.getCoordinationStatistics().invalidations(InvalidationKind.TAG, false))
			.isEqualTo(tagsBefore + 1);
		HttpResponse<String> group = post("/actuator/tieredcache", "{\"group\":\"catalog\"}");
		assertThat(group.statusCode()).isEqualTo(200);
		assertThat(json.readTree(group.body()).get("groupVersion").asLong()).isEqualTo(versionBefore + 1)
			.isEqualTo(this.operations.currentVersion("catalog"));
		assertThat(post("/actuator/tieredcache", "{}").statusCode()).isEqualTo(400);
	}

	@Test
	void deleteEvictsOneKeyOrClearsTheCache() throws Exception {
		TieredCache products = this.manager.getCache("products");
		products.put(1L, "one");
		products.put(2L, "two");
		assertThat(delete("/actuator/tieredcache/products?key=1").statusCode()).isEqualTo(200);
		assertThat(products.get(1L)).isNull();
		assertThat(products.get(2L, String.class)).isEqualTo("two");
		assertThat(delete("/actuator/tieredcache/products").statusCode()).isEqualTo(200);
		assertThat(products.get(2L)).isNull();
		assertThat(delete("/actuator/tieredcache/no-such-cache").statusCode()).isEqualTo(400);
		assertThat(this.manager.getCacheNames()).doesNotContain("no-such-cache");
	}

	@Test
	void springBootCachesEndpointKeepsWorkingWithTheTieredCacheManager() throws Exception {
		this.manager.getCache("products");
		HttpResponse<String> response = get("/actuator/caches");
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode caches = json.readTree(response.body()).get("cacheManagers").get("cacheManager").get("caches");
		assertThat(caches.get("products").get("target").asString()).isNotBlank();
		assertThat(get("/actuator/caches/products").statusCode()).isEqualTo(200);
	}

	@Test
	void prometheusScrapeHasTheTieredAndTheStandardCacheMeters() throws Exception {
		this.manager.getCache("products").get("x", () -> "y");
		HttpResponse<String> response = get("/actuator/prometheus");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("tiered_cache_gets_total{")
			.contains("tiered_cache_loads_seconds_count{")
			.contains("tiered_cache_redis_circuit")
			.containsPattern("cache_gets_total\\{[^}]*cache=\"products\"");
	}

	private HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(uri(path)).GET().build(), BodyHandlers.ofString());
	}

	private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(uri(path))
			.header("Content-Type", "application/json")
			.POST(BodyPublishers.ofString(body))
			.build(), BodyHandlers.ofString());
	}

	private HttpResponse<String> delete(String path) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(uri(path)).DELETE().build(), BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

	}

}
