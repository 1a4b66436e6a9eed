package dev.tieredcache.autoconfigure;

import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.cache.metrics.CacheMeterBinderProvider;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.metrics.TieredCacheCoordinationMetrics;
import dev.tieredcache.metrics.TieredCacheExecutorMetrics;
import dev.tieredcache.metrics.TieredCacheManagerMetrics;
import dev.tieredcache.metrics.TieredCacheMeterBinderProvider;
import dev.tieredcache.metrics.TieredCacheWarmStartMetrics;
import dev.tieredcache.metrics.TieredCacheWriteBehindMetrics;
import dev.tieredcache.redis.RedisCommandExecutor;
import dev.tieredcache.writebehind.WriteBehindMethods;
import dev.tieredcache.warmup.WarmStartStatistics;
import dev.tieredcache.writebehind.WriteBehindStatistics;

/**
 * Auto-configuration of the tiered cache's meters when Micrometer is on the classpath and
 * the application has a {@link MeterRegistry}: the {@code tiered.cache.*} meters of every
 * cache (including caches created after start-up) and of the Redis coordination, the
 * {@code executor.*} meters of its two thread pools, bound as
 * {@link io.micrometer.core.instrument.binder.MeterBinder} beans, and a
 * {@link CacheMeterBinderProvider} through which Spring Boot's cache metrics bind
 * {@code cache.*} meters for the caches that exist at start-up.
 *
 * <p>Runs after the tiered cache's own auto-configuration and after Spring Boot's meter
 * registry auto-configuration, and before Spring Boot's cache metrics, which collect the
 * providers.
 */
@AutoConfiguration(after = TieredCacheAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" },
		beforeName = "org.springframework.boot.cache.autoconfigure.metrics.CacheMetricsAutoConfiguration")
@ConditionalOnClass(MeterRegistry.class)
// By name: when the application has a cache manager of its own, ours is no default
// candidate, which type-based bean conditions pass over.
@ConditionalOnBean(value = MeterRegistry.class, name = TieredCacheAutoConfiguration.CACHE_MANAGER_BEAN_NAME)
public final class TieredCacheMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	TieredCacheManagerMetrics tieredCacheManagerMetrics(
			@Qualifier(TieredCacheAutoConfiguration.CACHE_MANAGER_BEAN_NAME) TieredCacheManager manager) {
		return new TieredCacheManagerMetrics(manager, List.of());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(RedisCommandExecutor.class)
	TieredCacheCoordinationMetrics tieredCacheCoordinationMetrics(
			@Qualifier(TieredCacheAutoConfiguration.CACHE_MANAGER_BEAN_NAME) TieredCacheManager manager,
			RedisCommandExecutor executor) {
		return new TieredCacheCoordinationMetrics(manager.getCoordinationStatistics(), executor.circuit(),
				List.of());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(TieredCacheExecutors.class)
	TieredCacheExecutorMetrics tieredCacheExecutorMetrics(TieredCacheExecutors executors) {
		return new TieredCacheExecutorMetrics(executors.refresh(), executors.async(), List.of());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(WarmStartStatistics.class)
	TieredCacheWarmStartMetrics tieredCacheWarmStartMetrics(
			@Qualifier(TieredCacheAutoConfiguration.CACHE_MANAGER_BEAN_NAME) TieredCacheManager manager,
			TieredCacheProperties properties, WarmStartStatistics statistics) {
		CacheSettingsFactory settings = new CacheSettingsFactory(properties);
		return new TieredCacheWarmStartMetrics(() -> manager.getCacheNames()
			.stream()
			.filter((name) -> settings.warmStart(name).enabled())
			.toList(), statistics);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(WriteBehindMethods.class)
	TieredCacheWriteBehindMetrics tieredCacheWriteBehindMetrics(ObjectProvider<MeterRegistry> registries,
			WriteBehindMethods methods, WriteBehindStatistics statistics) {
		return new TieredCacheWriteBehindMetrics(registries, methods, statistics);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(CacheMeterBinderProvider.class)
	static class CacheMeterBinderProviderConfiguration {

		@Bean
		@ConditionalOnMissingBean
		TieredCacheMeterBinderProvider tieredCacheMeterBinderProvider() {
			return new TieredCacheMeterBinderProvider();
		}

	}

}
