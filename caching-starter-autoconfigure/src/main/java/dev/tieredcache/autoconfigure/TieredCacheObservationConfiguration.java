package dev.tieredcache.autoconfigure;

import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.tieredcache.cache.CacheObserver;
import dev.tieredcache.metrics.ObservationCacheObserver;

/**
 * Observations of loads and Redis reads, when Micrometer's Observation API is on the
 * classpath and the application has an {@link ObservationRegistry} (Spring Boot's actuator
 * provides one); without a registry the caches observe nothing. The registry is looked up
 * when the cache manager is created, so no ordering against Spring Boot's observation
 * auto-configuration is needed.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "io.micrometer.observation.ObservationRegistry")
class TieredCacheObservationConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CacheObserver tieredCacheObserver(ObjectProvider<ObservationRegistry> registry) {
		ObservationRegistry observations = registry.getIfUnique();
		return (observations != null) ? new ObservationCacheObserver(observations) : CacheObserver.NONE;
	}

}
