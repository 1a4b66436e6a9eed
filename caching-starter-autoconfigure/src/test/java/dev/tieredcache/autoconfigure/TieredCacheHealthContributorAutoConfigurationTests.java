package dev.tieredcache.autoconfigure;

import java.io.IOException;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.actuate.TieredCacheHealthIndicator;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.InvalidationSubscription;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.RedisServerProcess;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Wiring of {@link TieredCacheHealthContributorAutoConfiguration} and what the contributor
 * reports, against the real Redis and against a port where no Redis answers.
 */
class TieredCacheHealthContributorAutoConfigurationTests {

	private static final AutoConfigurations HEALTH = AutoConfigurations
		.of(TieredCacheHealthContributorAutoConfiguration.class);

	private final ApplicationContextRunner runner = Instances
		.runner(TestRedis.SHARED_PORT, TestRedis.uniquePrefix("health-autoconfig"))
		.withConfiguration(HEALTH);

	@Test
	void reportsUpWithTheCircuitClosedTheSubscriptionListeningAndNothingPending() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(TieredCacheHealthIndicator.class)
				.hasBean("tieredCacheHealthIndicator");
			InvalidationSubscription subscription = context.getBean(InvalidationSubscription.class);
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(subscription::isListening);
			Health health = context.getBean(TieredCacheHealthIndicator.class).health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("circuit", "closed")
				.containsEntry("subscription", "listening")
				.containsEntry("pendingInvalidations", 0);
		});
	}

	@Test
	void staysUpWhileRedisIsUnreachableAndSaysWhatIsDegraded() throws IOException {
		Instances.runner(RedisServerProcess.freePort(), TestRedis.uniquePrefix("health-no-redis"))
			.withConfiguration(HEALTH)
			.run((context) -> {
				TieredCacheManager manager = context.getBean(TieredCacheManager.class);
				manager.getCache("users").evict(42L);
				Health health = context.getBean(TieredCacheHealthIndicator.class).health();
				assertThat(health.getStatus()).isEqualTo(Status.UP);
				assertThat(health.getDetails()).containsEntry("circuit", "open")
					.containsEntry("subscription", "not listening")
					.containsEntry("pendingInvalidations", 1);
			});
	}

	@Test
	void reportsTheConfiguredStatusWhileTheCircuitIsOpen() throws IOException {
		ApplicationContextRunner withoutRedis = Instances
			.runner(RedisServerProcess.freePort(), TestRedis.uniquePrefix("health-status"))
			.withConfiguration(HEALTH);
		withoutRedis.withPropertyValues("tiered-cache.health.open-circuit-status=down")
			.run((context) -> assertThat(context.getBean(TieredCacheHealthIndicator.class).health().getStatus())
				.isEqualTo(Status.DOWN));
		withoutRedis.withPropertyValues("tiered-cache.health.open-circuit-status=DEGRADED")
			.run((context) -> assertThat(context.getBean(TieredCacheHealthIndicator.class).health().getStatus())
				.isEqualTo(new Status("DEGRADED")));
	}

	@Test
	void theOpenCircuitStatusDoesNotApplyWhileTheCircuitIsClosed() {
		this.runner.withPropertyValues("tiered-cache.health.open-circuit-status=DOWN")
			.run((context) -> assertThat(context.getBean(TieredCacheHealthIndicator.class).health().getStatus())
				.isEqualTo(Status.UP));
	}

	@Test
	void aBlankOpenCircuitStatusFailsStartUpNamingTheProperty() {
		this.runner.withPropertyValues("tiered-cache.health.open-circuit-status= ")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("tiered-cache.health.open-circuit-status"));
	}

	@Test
	void isAbsentWhenTheApplicationDisablesIt() {
		this.runner.withPropertyValues("management.health.tieredcache.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(TieredCacheManager.class)
				.doesNotHaveBean(TieredCacheHealthIndicator.class));
	}

	@Test
	void backsOffWhenTheApplicationDefinesOneOfTheSameName() {
		this.runner.withBean("tieredCacheHealthIndicator", Object.class, Object::new)
			.run((context) -> assertThat(context).doesNotHaveBean(TieredCacheHealthIndicator.class));
	}

	@Test
	void backsOffWithoutSpringBootHealth() {
		this.runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(TieredCacheManager.class)
				.doesNotHaveBean("tieredCacheHealthIndicator"));
	}

}
