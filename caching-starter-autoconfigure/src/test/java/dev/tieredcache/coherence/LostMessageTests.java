package dev.tieredcache.coherence;

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
 * An invalidation message lost while the subscription stays up (issue 11, case 6): the
 * receiver notices the gap in the sender's sequence numbers and drops its L1.
 */
class LostMessageTests {

	private final String prefix = TestRedis.uniquePrefix("gaps");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, this.prefix)
		.withPropertyValues("tiered-cache.redis.repair-interval=100ms", "tiered-cache.redis.command-timeout=200ms");

	@Test
	void aGapInAnotherInstancesSequenceDropsL1AndIsCounted() {
		this.runner.run((context) -> {
			TieredCacheManager manager = context.getBean(TieredCacheManager.class);
			TieredCache cache = manager.getCache("users");
			cache.put(1L, "alice");
			await().atMost(Duration.ofSeconds(5)).until(() -> context.getBean(InvalidationSubscription.class).isListening());
			try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
				publish(redis, "K|other|1|users|42");
				publish(redis, "K|other|2|users|43");
				assertThat(cache.getLocalSize()).as("no gap yet").isEqualTo(1);
				publish(redis, "K|other|4|users|44");
				await().atMost(Duration.ofSeconds(5))
					.until(() -> manager.getCoordinationStatistics().missedInvalidations() == 1);
				assertThat(cache.getLocalSize()).isZero();
			}
		});
	}

	@Test
	void aMessageArrivingLateWithinTheGraceIsNotALoss() {
		this.runner.run((context) -> {
			TieredCacheManager manager = context.getBean(TieredCacheManager.class);
			TieredCache cache = manager.getCache("users");
			await().atMost(Duration.ofSeconds(5)).until(() -> context.getBean(InvalidationSubscription.class).isListening());
			try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
				publish(redis, "K|other|1|users|42");
				publish(redis, "K|other|3|users|43");
				publish(redis, "K|other|2|users|44");
				publish(redis, "H|other|3||");
				cache.put(1L, "alice");
				await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
					.until(() -> manager.getCoordinationStatistics().missedInvalidations() == 0);
				assertThat(cache.getLocalSize()).isEqualTo(1);
			}
		});
	}

	@Test
	void aLostLastMessageIsRevealedByTheSendersHeartbeat() {
		this.runner.run((context) -> {
			TieredCacheManager manager = context.getBean(TieredCacheManager.class);
			TieredCache cache = manager.getCache("users");
			cache.put(1L, "alice");
			await().atMost(Duration.ofSeconds(5)).until(() -> context.getBean(InvalidationSubscription.class).isListening());
			try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
				publish(redis, "K|other|1|users|42");
				// Message 2 never arrives; the heartbeat says it was sent.
				publish(redis, "H|other|2||");
				await().atMost(Duration.ofSeconds(5))
					.until(() -> manager.getCoordinationStatistics().missedInvalidations() == 1);
				assertThat(cache.getLocalSize()).isZero();
			}
		});
	}

	private void publish(TestRedis redis, String message) {
		redis.commands()
			.publish((this.prefix + "invalidation").getBytes(StandardCharsets.UTF_8),
					message.getBytes(StandardCharsets.UTF_8));
	}

}
