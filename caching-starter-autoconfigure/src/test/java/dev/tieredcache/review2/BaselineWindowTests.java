package dev.tieredcache.review2;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.InvalidationSubscription;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code MessageSequences}: a publisher first heard of within a heartbeat period plus the
 * grace after this instance (re)subscribed has its first <em>received</em> number taken as
 * the baseline. But the first number received is not necessarily the first one sent after
 * this instance began listening: a message sent after that, and lost, is below the
 * baseline and never awaited. As in {@code LostMessageEdgeTests}, the other instance
 * ("old", running long before this one) is played by publishing on the real channel.
 */
class BaselineWindowTests {

	private final String prefix = TestRedis.uniquePrefix("baseline");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, this.prefix)
		.withPropertyValues("tiered-cache.redis.repair-interval=1s", "tiered-cache.redis.command-timeout=200ms",
				"tiered-cache.defaults.local.ttl=5m");

	@Test
	void aMessageLostJustAfterThisInstanceSubscribedIsDetected() {
		this.runner.run((context) -> {
			TieredCacheManager manager = context.getBean(TieredCacheManager.class);
			TieredCache cache = manager.getCache("users");
			await().atMost(Duration.ofSeconds(5)).until(() -> context.getBean(InvalidationSubscription.class).isListening());
			try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
				cache.put(1L, "alice");
				// "K|old|5|users|1" (old's write of key 1) is sent now and lost; the next arrive.
				publish(redis, "K|old|6|users|43");
				publish(redis, "H|old|6||");
				// Bound: heartbeat + grace + check (1 s + 0.5 s + 1 s).
				await("L1 dropped after the lost message").atMost(Duration.ofSeconds(4))
					.untilAsserted(() -> assertThat(manager.getCoordinationStatistics().missedInvalidations())
						.as("missed invalidations").isEqualTo(1));
			}
		});
	}

	private void publish(TestRedis redis, String message) {
		redis.commands()
			.publish((this.prefix + "invalidation").getBytes(StandardCharsets.UTF_8),
					message.getBytes(StandardCharsets.UTF_8));
	}

}
