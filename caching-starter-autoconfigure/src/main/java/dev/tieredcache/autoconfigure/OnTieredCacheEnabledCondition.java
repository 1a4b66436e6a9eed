package dev.tieredcache.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.PropertyResolver;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches unless caching is switched off, either by {@code tiered-cache.enabled=false} or by
 * {@code spring.cache.type=none}: the latter is how Spring Boot users turn caching off, and
 * what the test slices' {@code @AutoConfigureCache} sets, so the starter's annotations run
 * their methods uncached exactly when Spring's own {@code @Cacheable} does.
 */
final class OnTieredCacheEnabledCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		ConditionMessage.Builder message = ConditionMessage.forCondition("Tiered cache enabled");
		String switchedOffBy = switchedOffBy(context.getEnvironment());
		if (switchedOffBy != null) {
			return ConditionOutcome.noMatch(message.because("switched off by " + switchedOffBy));
		}
		return ConditionOutcome.match(message.because("neither tiered-cache.enabled=false nor spring.cache.type=none"));
	}

	/**
	 * Returns the property setting that switches the tiered cache off, if any.
	 * @param properties the environment
	 * @return {@code tiered-cache.enabled=false}, {@code spring.cache.type=none}, or null
	 */
	static @Nullable String switchedOffBy(PropertyResolver properties) {
		if (!properties.getProperty("tiered-cache.enabled", Boolean.class, true)) {
			return "tiered-cache.enabled=false";
		}
		if ("none".equalsIgnoreCase(properties.getProperty("spring.cache.type", "").trim())) {
			return "spring.cache.type=none";
		}
		return null;
	}

}
