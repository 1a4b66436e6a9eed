package dev.tieredcache.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.tieredcache.TieredCacheOperations;
import dev.tieredcache.actuate.TieredCacheEndpoint;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.RedisCommandExecutor;

/**
 * Auto-configuration of the {@code tieredcache} actuator endpoint, when Spring Boot's
 * actuator is on the classpath and the endpoint is available (enabled and exposed by the
 * application; nothing is exposed by default beyond what the application chose).
 */
@AutoConfiguration(after = TieredCacheAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean({ TieredCacheManager.class, TieredCacheOperations.class })
@ConditionalOnAvailableEndpoint(TieredCacheEndpoint.class)
public final class TieredCacheEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	TieredCacheEndpoint tieredCacheEndpoint(TieredCacheManager manager, TieredCacheOperations operations,
			ObjectProvider<RedisCommandExecutor> executor) {
		RedisCommandExecutor redis = executor.getIfAvailable();
		return new TieredCacheEndpoint(manager, operations, (redis != null) ? redis.circuit() : null);
	}

}
