package dev.tieredcache.review;

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
 * Promise 3: a lost invalidation message is detected and L1 dropped within heartbeat +
 * grace + check. As in {@code LostMessageTests}, another instance ("other") is played by
 * publishing its messages on the real channel; the message that would have invalidated key
 * 1 of this instance's L1 is the one that never arrives.
 */
class LostMessageEdgeTests {

	private final String prefix = TestRedis.uniquePrefix("gaps-review");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, this.prefix)
		.withPropertyValues("tiered-cache.redis.repair-interval=100ms", "tiered-cache.redis.command-timeout=200ms");

	/**
	 * The publisher's heartbeat thread reads its latest number (2) just before another of its
	 * threads numbers and sends message 3; on the shared connection the heartbeat is written
	 * after message 3. Message 2 itself is lost. The heartbeat, which only says "2 was sent",
	 * crosses 2 off the missing numbers as if message 2 had arrived.
	 */
	@Test
	void aHeartbeatOvertakenByALaterMessageDoesNotHideALostMessage() {
		this.runner.run((context) -> {
			TieredCacheManager manager = context.getBean(TieredCacheManager.class);
			TieredCache cache = manager.getCache("users");
			await().atMost(Duration.ofSeconds(5)).until(() -> context.getBean(InvalidationSubscription.class).isListening());
			try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
				publish(redis, "K|other|1|users|42");
				cache.put(1L, "alice");
				// "K|other|2|users|1" is lost.
				publish(redis, "K|other|3|users|43");
				publish(redis, "H|other|2||");
				await("L1 dropped after the lost message").atMost(Duration.ofSeconds(3))
					.untilAsserted(() -> assertThat(manager.getCoordinationStatistics().missedInvalidations())
						.as("missed invalidations").isEqualTo(1));
			}
		});
	}

	/**
	 * A publisher that starts after this instance has been listening: its first message (1)
	 * is lost before its first heartbeat; its second (2) arrives and is taken as the baseline.
	 */
	@Test
	void theLostFirstMessageOfANewPublisherIsDetected() {
		this.runner.run((context) -> {
			TieredCacheManager manager = context.getBean(TieredCacheManager.class);
			TieredCache cache = manager.getCache("users");
			await().atMost(Duration.ofSeconds(5)).until(() -> context.getBean(InvalidationSubscription.class).isListening());
			// A publisher is new to this instance only once it has listened for longer than a
			// heartbeat period (plus the grace): every live publisher would have been heard.
			await().pollDelay(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(2)).until(() -> true);
			try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
				cache.put(1L, "alice");
				// "K|newcomer|1|users|1" is lost.
				publish(redis, "K|newcomer|2|users|43");
				publish(redis, "H|newcomer|2||");
				await("L1 dropped after the lost message").atMost(Duration.ofSeconds(3))
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
