package dev.tieredcache.serialization;

import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.metrics.TieredCacheMetrics;
import dev.tieredcache.redis.RedisKeyLayout;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A value of a class outside the allow-list is refused when it is written, not only when
 * it is read: it stays out of Redis (L1 only), is counted, and its class is named once in
 * the log with the property to change. Before, it was written, could never be read back,
 * and every other instance missed in L2 for ever.
 */
@ExtendWith(OutputCaptureExtension.class)
class DisallowedValuesTests {

	private final String prefix = TestRedis.uniquePrefix("disallowed");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, this.prefix)
		.withPropertyValues("tiered-cache.serialization.allowed-packages=com.example");

	@Test
	void aValueOfAClassOutsideTheAllowListStaysOutOfRedisIsCountedAndNamedOnce(CapturedOutput output) {
		this.runner.run((a) -> this.runner.run((b) -> {
			TieredCache cacheA = a.getBean(TieredCacheManager.class).getCache("outside");
			TieredCache cacheB = b.getBean(TieredCacheManager.class).getCache("outside");
			Outside value = new Outside("x");
			assertThat(cacheA.get("k", () -> value)).isEqualTo(value);
			cacheA.put("other", List.of(new Outside("nested")));
			assertThat(redisEntries()).as("nothing stored that no instance could read (a put leaves a tombstone)")
				.allSatisfy((stored) -> assertThat(stored).hasSize(RedisKeyLayout.SEQUENCE_LENGTH));
			assertThat(cacheB.get("k")).isNull();
			assertThat(cacheB.getStatistics().unreadableValues()).as("no silent miss on the other instance").isZero();
			assertThat(cacheA.get("k", () -> new Outside("reloaded"))).as("kept in L1").isEqualTo(value);
			assertThat(cacheA.getStatistics().disallowedValues()).isEqualTo(2);
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			new TieredCacheMetrics(cacheA, List.of()).bindTo(registry);
			assertThat(registry.get("tiered.cache.values.rejected").tag("reason", "disallowed").functionCounter().count())
				.isEqualTo(2);
			assertThat(output).containsOnlyOnce("class " + Outside.class.getName())
				.contains("tiered-cache.serialization.allowed-packages");
			cacheA.put("allowed", List.of(1L, "text"));
			assertThat(cacheB.get("allowed", List.class)).as("JDK value types are always allowed")
				.isEqualTo(List.of(1L, "text"));
		}));
	}

	private List<byte[]> redisEntries() {
		try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
			return redis.commands()
				.keys((this.prefix + "c:*").getBytes())
				.stream()
				.map((key) -> redis.commands().get(key))
				.toList();
		}
	}

	public record Outside(String name) {
	}

}
