package dev.tieredcache.reliability;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.cache.CacheEntry;
import dev.tieredcache.cache.CacheKeyEncoder;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.RedisKeyLayout;
import dev.tieredcache.serialization.AllowListJsonSerializer;
import dev.tieredcache.serialization.EntryCodec;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keys, tags and values an attacker or a careless caller could send: they round-trip
 * without colliding, stay bounded in Redis, and oversized values stay out of Redis.
 */
class HostileInputTests {

	private static final List<String> ODD_KEYS = List.of("plain", "with space", "new\nline", "star*", "{brace}",
			"}{", "caf\u00e9", "\u65e5\u672c", "a|b", "a,b", "%41", "A", "#hash", "", "emoji \uD83D\uDE00",
			"x".repeat(2000), "x".repeat(2000) + "y");

	private final String prefix = TestRedis.uniquePrefix("hostile");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, this.prefix);

	@Test
	void oddKeysRoundTripThroughBothInstancesWithoutColliding() {
		this.runner.run((a) -> this.runner.run((b) -> {
			TieredCache cacheA = a.getBean(TieredCacheManager.class).getCache("odd");
			TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("odd");
			for (String key : ODD_KEYS) {
				cacheA.put(key, "value of " + key);
			}
			for (String key : ODD_KEYS) {
				assertThat(cacheB.get(key, String.class)).isEqualTo("value of " + key);
			}
			Set<String> encodings = new HashSet<>();
			for (String key : ODD_KEYS) {
				assertThat(encodings.add(CacheKeyEncoder.encodeKey(key))).as("unique encoding of %s", key).isTrue();
			}
		}));
	}

	@Test
	void longKeysBecomeBoundedRedisKeysWithoutBraces() {
		String encoded = CacheKeyEncoder.encodeKey("k".repeat(5000));
		assertThat(encoded).startsWith("#").hasSizeLessThan(64);
		for (String key : ODD_KEYS) {
			String value = CacheKeyEncoder.encodeKey(key);
			assertThat(value).doesNotContain("{", "}", "|", "\n", " ", "*").hasSizeLessThanOrEqualTo(256);
		}
		this.runner.run((context) -> {
			TieredCache cache = context.getBean(TieredCacheManager.class).getCache("odd");
			cache.put("k".repeat(5000), "long");
			try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
				List<byte[]> keys = redis.commands().keys((this.prefix + "*").getBytes());
				assertThat(keys).isNotEmpty().allSatisfy((key) -> assertThat(key.length).isLessThan(200));
			}
		});
	}

	@Test
	void oddTagsAreInvalidatedExactly() {
		this.runner.run((context) -> {
			var operations = context.getBean(dev.tieredcache.TieredCacheOperations.class);
			var services = context.getBean(TieredCacheManager.class).getServices();
			long starBefore = services.tags().current(CacheKeyEncoder.encode("tag*"));
			long braceBefore = services.tags().current(CacheKeyEncoder.encode("{tag}"));
			operations.invalidateTags("{tag}");
			assertThat(services.tags().current(CacheKeyEncoder.encode("{tag}"))).isGreaterThan(braceBefore);
			assertThat(services.tags().current(CacheKeyEncoder.encode("tag*"))).isEqualTo(starBefore);
		});
	}

	@Test
	void aForeignClassInRedisIsAMissAndNeverLoaded() {
		this.runner.run((context) -> {
			TieredCache cache = context.getBean(TieredCacheManager.class).getCache("odd");
			cache.put("victim", "genuine");
			EntryCodec codec = new EntryCodec(new AllowListJsonSerializer(List.of("java")));
			long now = System.currentTimeMillis();
			CacheEntry forged = new CacheEntry("x", now, now + 60_000, now + 60_000, 0, new String[0], new long[0], 0);
			byte[] gadget = ("[\"com.sun.rowset.JdbcRowSetImpl\",{\"dataSourceName\":\"ldap://127.0.0.1:1389/x\","
					+ "\"autoCommit\":true}]").getBytes(java.nio.charset.StandardCharsets.UTF_8);
			try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
				List<byte[]> keys = redis.commands().keys((this.prefix + "c:{odd:victim}").getBytes());
				assertThat(keys).hasSize(1);
				byte[] genuine = redis.commands().get(keys.get(0));
				byte[] stored = codec.encode(forged, gadget, RedisKeyLayout.ENTRY_HEADER);
				System.arraycopy(genuine, 0, stored, 0, RedisKeyLayout.ENTRY_HEADER);
				redis.commands().set(keys.get(0), stored);
			}
			cache.clearLocal();
			assertThat(cache.get("victim")).as("a refused payload is a miss").isNull();
			assertThat(cache.get("victim", () -> "reloaded")).isEqualTo("reloaded");
			assertThat(cache.getStatistics().unreadableValues()).isEqualTo(2);
		});
	}

	@Test
	void aValueOverTheSizeLimitStaysOutOfRedisAndIsCounted() {
		this.runner.withPropertyValues("tiered-cache.caches.big.max-value-size=1KB").run((context) -> {
			TieredCache cache = context.getBean(TieredCacheManager.class).getCache("big");
			String huge = "x".repeat(4096);
			assertThat(cache.get("k", () -> huge)).isEqualTo(huge);
			assertThat(cache.getStatistics().oversizedValues()).isEqualTo(1);
			try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
				assertThat(storedValues(redis)).isZero();
			}
			cache.put("small", "fits");
			try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
				assertThat(storedValues(redis)).isOne();
			}
		});
	}

	/** Counts the entries that hold a value (a load leaves a tombstone, which holds none). */
	private long storedValues(TestRedis redis) {
		return redis.commands()
			.keys((this.prefix + "c:*").getBytes())
			.stream()
			.filter((key) -> redis.commands().strlen(key) > RedisKeyLayout.ENTRY_HEADER)
			.count();
	}

}
