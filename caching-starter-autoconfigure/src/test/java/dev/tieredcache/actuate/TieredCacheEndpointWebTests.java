package dev.tieredcache.actuate;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.tieredcache.TieredCacheOperations;
import dev.tieredcache.annotation.WriteBehind;
import dev.tieredcache.cache.HotKeyHash;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.existence.ExistingKeys;
import dev.tieredcache.redis.CoordinationStatistics.InvalidationKind;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code tieredcache} endpoint, Spring Boot's {@code caches} endpoint and the Prometheus
 * scrape over HTTP, in a full application on a random port against the real Redis.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + TestRedis.SHARED_PORT,
				"tiered-cache.serialization.allowed-packages=java,dev.tieredcache",
				"tiered-cache.caches.products.ttl=10m", "tiered-cache.caches.products.local.maximum-size=500",
				"tiered-cache.caches.visits.write-behind.flush-interval=50ms",
				"tiered-cache.caches.visits.write-behind.max-attempts=1",
				"tiered-cache.caches.skus.existence-filter.enabled=true",
				"tiered-cache.caches.skus.existence-filter.expected-keys=1000",
				"management.endpoints.web.exposure.include=tieredcache,caches,prometheus" })
class TieredCacheEndpointWebTests {

	private static final JsonMapper json = JsonMapper.builder().build();

	private static final java.util.Set<String> SKUS = ConcurrentHashMap.newKeySet();

	private final HttpClient http = HttpClient.newHttpClient();

	@Value("${local.server.port}")
	private int port;

	@Autowired
	private TieredCacheManager manager;

	@Autowired
	private TieredCacheOperations operations;

	@Autowired
	private Visits visits;

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
	void deadLettersAreListedWithoutKeysOrValuesAndCanBeReplayedOrDropped() throws Exception {
		this.visits.setFailing(true);
		this.visits.save("secret-visit-key", 987654321L);
		this.visits.save("other-secret-key", 123456789L);
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(get("/actuator/tieredcache/visits/dead-letters").body())
				.contains("\"count\":2"));
		HttpResponse<String> list = get("/actuator/tieredcache/visits/dead-letters");
		assertThat(list.statusCode()).isEqualTo(200);
		assertThat(list.body()).doesNotContain("secret-visit-key", "other-secret-key", "987654321", "123456789");
		JsonNode letters = json.readTree(list.body()).get("deadLetters");
		assertThat(letters).hasSize(2);
		assertThat(letters.get(0).get("attempts").asInt()).isEqualTo(1);
		assertThat(letters.get(0).get("error").asString()).isEqualTo(IllegalStateException.class.getName());
		assertThat(json.readTree(get("/actuator/tieredcache/visits/dead-letters?max=1").body()).get("deadLetters"))
			.hasSize(1);

		this.visits.setFailing(false);
		String first = letters.get(0).get("id").asString();
		HttpResponse<String> replay = post("/actuator/tieredcache/visits/dead-letters/" + first, "{}");
		assertThat(replay.statusCode()).isEqualTo(200);
		assertThat(json.readTree(replay.body()).get("outcome").asString()).isEqualTo("pending");
		await().atMost(Duration.ofSeconds(5)).until(() -> this.visits.flushed().size() == 1);
		// The two writes fail in the order their flush took them, which the test does not
		// fix: the replayed one is whichever was dead-lettered first.
		assertThat(this.visits.flushed()).hasSize(1);
		String replayed = this.visits.flushed().keySet().iterator().next();
		assertThat(replayed).isIn("secret-visit-key", "other-secret-key");
		String dropped = replayed.equals("secret-visit-key") ? "other-secret-key" : "secret-visit-key";

		String second = letters.get(1).get("id").asString();
		HttpResponse<String> drop = delete("/actuator/tieredcache/visits/dead-letters/" + second);
		assertThat(drop.statusCode()).isEqualTo(200);
		assertThat(json.readTree(drop.body()).get("outcome").asString()).isEqualTo("dropped");
		assertThat(json.readTree(delete("/actuator/tieredcache/visits/dead-letters/" + second).body())
			.get("outcome").asString()).isEqualTo("not-found");
		assertThat(json.readTree(get("/actuator/tieredcache/visits/dead-letters").body()).get("count").asLong())
			.isZero();
		assertThat(this.visits.flushed()).as("a dropped write is never flushed").doesNotContainKey(dropped);

		assertThat(get("/actuator/tieredcache/products/dead-letters").statusCode()).as("not written behind")
			.isEqualTo(404);
		assertThat(get("/actuator/tieredcache/no-such-cache/dead-letters").statusCode()).isEqualTo(404);
		assertThat(get("/actuator/tieredcache/visits/other").statusCode()).isEqualTo(404);
		assertThat(post("/actuator/tieredcache/products/dead-letters/1-0", "{}").statusCode()).isEqualTo(400);
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

	@Test
	void postRebuildsAnExistenceFilterAndReadShowsIt() throws Exception {
		SKUS.add("sku-1");
		HttpResponse<String> rebuild = post("/actuator/tieredcache/skus/existence-filter", "{}");
		assertThat(rebuild.statusCode()).isEqualTo(200);
		JsonNode outcome = json.readTree(rebuild.body());
		assertThat(outcome.get("outcome").asString()).isIn("rebuilt", "busy");
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			HttpResponse<String> again = post("/actuator/tieredcache/skus/existence-filter", "{}");
			assertThat(json.readTree(again.body()).get("outcome").asString()).isEqualTo("rebuilt");
			assertThat(json.readTree(again.body()).get("keys").asLong()).isEqualTo(1);
		});
		TieredCache skus = this.manager.getCache("skus");
		assertThat(skus.get("sku-2", () -> "loaded")).isNull();
		assertThat(skus.get("sku-1", () -> "loaded")).isEqualTo("loaded");
		JsonNode filter = json.readTree(get("/actuator/tieredcache/skus").body()).get("existenceFilter");
		assertThat(filter.get("rejected").asLong()).isEqualTo(1);
		assertThat(filter.get("bits").asLong()).isEqualTo(9586);
		assertThat(post("/actuator/tieredcache/products/existence-filter", "{}").statusCode()).isEqualTo(400);
		assertThat(post("/actuator/tieredcache/skus/other", "{}").statusCode()).isEqualTo(400);
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

		@Bean
		Visits visits() {
			return new Visits();
		}

		@Bean
		ExistingKeys skus() {
			return ExistingKeys.of("skus", () -> SKUS.stream());
		}

	}

	/**
	 * A write-behind repository whose flushes fail on demand (state behind methods: the
	 * test holds the proxy, the flusher calls the target).
	 */
	static class Visits {

		private final Map<String, Long> flushed = new ConcurrentHashMap<>();

		private volatile boolean failing;

		public void setFailing(boolean failing) {
			this.failing = failing;
		}

		public Map<String, Long> flushed() {
			return this.flushed;
		}

		@WriteBehind(cache = "visits")
		public void save(String user, Long visits) {
			if (this.failing) {
				throw new IllegalStateException("database down");
			}
			this.flushed.put(user, visits);
		}

	}

}
