package dev.tieredcache.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import dev.tieredcache.TieredCacheOperations;
import dev.tieredcache.actuate.TieredCacheEndpoint;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.existence.ExistenceFilters;
import dev.tieredcache.redis.RedisCommandExecutor;
import dev.tieredcache.writebehind.WriteBehindDeadLetters;

/**
 * Auto-configuration of the {@code tieredcache} actuator endpoint, when Spring Boot's
 * actuator is on the classpath and the endpoint is available: its access is not
 * {@code none} and the application exposes it, for example with
 * {@code management.endpoints.web.exposure.include=tieredcache}. Nothing is exposed that the
 * application did not expose.
 */
@AutoConfiguration(after = TieredCacheAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint")
// The manager by name: when the application has a cache manager of its own, ours is no
// default candidate, which type-based bean conditions pass over.
@ConditionalOnBean(value = TieredCacheOperations.class, name = TieredCacheAutoConfiguration.CACHE_MANAGER_BEAN_NAME)
@Import(TieredCacheEndpointAutoConfiguration.EndpointConfiguration.class)
public final class TieredCacheEndpointAutoConfiguration {

	// A separate class, so that the availability condition (an actuator class) is only
	// loaded once the actuator is known to be on the classpath.
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnAvailableEndpoint(TieredCacheEndpoint.class)
	static class EndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		TieredCacheEndpoint tieredCacheEndpoint(
				@Qualifier(TieredCacheAutoConfiguration.CACHE_MANAGER_BEAN_NAME) TieredCacheManager manager,
				TieredCacheOperations operations,
				ObjectProvider<RedisCommandExecutor> executor, TieredCacheProperties properties,
				ObjectProvider<WriteBehindDeadLetters> deadLetters, ObjectProvider<ExistenceFilters> existenceFilters) {
			RedisCommandExecutor redis = executor.getIfAvailable();
			return new TieredCacheEndpoint(manager, operations, (redis != null) ? redis.circuit() : null,
					properties.getHotKeys().isExposeKeys(), deadLetters.getIfAvailable(),
					existenceFilters.getIfAvailable());
		}

	}

}
