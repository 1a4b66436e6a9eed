package dev.tieredcache.autoconfigure;

import java.util.Locale;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import dev.tieredcache.actuate.TieredCacheHealthIndicator;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.InvalidationSubscription;
import dev.tieredcache.redis.RedisCommandExecutor;

/**
 * Auto-configuration of the {@code tieredCache} health contributor, when Spring Boot's
 * health support ({@code spring-boot-health}, brought by the actuator starter) is on the
 * classpath; switched off with {@code management.health.tieredcache.enabled=false}.
 *
 * <p>It reports {@code UP} while the cache degrades gracefully. Spring Boot's own
 * {@code redis} indicator is independent of it: with a Redis used only as a cache, set
 * {@code management.health.redis.enabled=false} so that Redis being down does not take
 * the application out of service.
 */
@AutoConfiguration(after = TieredCacheAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
@ConditionalOnBean(TieredCacheManager.class)
@Import(TieredCacheHealthContributorAutoConfiguration.HealthConfiguration.class)
public final class TieredCacheHealthContributorAutoConfiguration {

	// A separate class, so that the health classes its conditions and bean method name are
	// only loaded once Spring Boot's health support is known to be on the classpath.
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnEnabledHealthIndicator("tieredcache")
	@EnableConfigurationProperties(TieredCacheProperties.class)
	static class HealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "tieredCacheHealthIndicator")
		TieredCacheHealthIndicator tieredCacheHealthIndicator(TieredCacheManager manager,
				ObjectProvider<RedisCommandExecutor> executor, ObjectProvider<InvalidationSubscription> subscription,
				TieredCacheProperties properties) {
			RedisCommandExecutor redis = executor.getIfUnique();
			return new TieredCacheHealthIndicator(manager, (redis != null) ? redis.circuit() : null,
					subscription.getIfUnique(), openCircuitStatus(properties.getHealth().getOpenCircuitStatus()));
		}

		private static Status openCircuitStatus(String code) {
			if (code == null || code.isBlank()) {
				throw new InvalidConfigurationPropertyValueException("tiered-cache.health.open-circuit-status", code,
						"Must be a health status such as UP, DOWN or OUT_OF_SERVICE");
			}
			return new Status(code.trim().toUpperCase(Locale.ROOT));
		}

	}

}
