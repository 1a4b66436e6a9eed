package dev.tieredcache.autoconfigure;

import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The tiered cache can exist: Redis is switched off ({@code tiered-cache.redis.enabled=false},
 * the L1-only mode, which needs no connection factory), or there is a single (or primary)
 * Lettuce connection factory to use.
 */
final class OnRedisOrLocalOnlyCondition extends AnyNestedCondition {

	OnRedisOrLocalOnlyCondition() {
		super(ConfigurationPhase.REGISTER_BEAN);
	}

	@ConditionalOnBooleanProperty(name = TieredCacheAutoConfiguration.REDIS_ENABLED_PROPERTY, havingValue = false)
	static class LocalOnly {

	}

	@ConditionalOnSingleCandidate(LettuceConnectionFactory.class)
	static class Lettuce {

	}

}
