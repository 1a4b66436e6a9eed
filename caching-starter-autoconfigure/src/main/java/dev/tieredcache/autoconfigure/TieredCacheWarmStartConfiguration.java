package dev.tieredcache.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.RedisCommandExecutor;
import dev.tieredcache.redis.RedisHotKeyStore;
import dev.tieredcache.warmup.HotKeyRecorder;
import dev.tieredcache.warmup.TieredCacheWarmer;
import dev.tieredcache.warmup.WarmStartRunner;
import dev.tieredcache.warmup.WarmStartStatistics;

/**
 * Warm start after a deploy: the recording of each cache's most read keys in Redis and the
 * start-up runner that copies their entries into L1 and runs the application's
 * {@link TieredCacheWarmer}s. Imported by {@link TieredCacheAutoConfiguration}. In the
 * L1-only mode only the warmers run.
 */
@Configuration(proxyBeanMethods = false)
class TieredCacheWarmStartConfiguration {

	private static final String RECORD_INTERVAL_PROPERTY = "tiered-cache.warm-start.record-interval";

	@Bean
	@ConditionalOnMissingBean
	WarmStartStatistics tieredCacheWarmStartStatistics() {
		return new WarmStartStatistics();
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = TieredCacheAutoConfiguration.REDIS_ENABLED_PROPERTY, matchIfMissing = true)
	RedisHotKeyStore tieredCacheHotKeyStore(
			@Qualifier(TieredCacheAutoConfiguration.CACHE_MANAGER_BEAN_NAME) TieredCacheManager manager) {
		return new RedisHotKeyStore(manager.getServices().store());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = TieredCacheAutoConfiguration.REDIS_ENABLED_PROPERTY, matchIfMissing = true)
	HotKeyRecorder tieredCacheHotKeyRecorder(
			@Qualifier(TieredCacheAutoConfiguration.CACHE_MANAGER_BEAN_NAME) TieredCacheManager manager,
			RedisHotKeyStore store, RedisCommandExecutor executor, TieredCacheProperties properties) {
		Duration interval = properties.getWarmStart().getRecordInterval();
		if (interval == null || interval.isNegative() || interval.isZero()) {
			throw new InvalidConfigurationPropertyValueException(RECORD_INTERVAL_PROPERTY, interval,
					"Must be positive");
		}
		CacheSettingsFactory settings = new CacheSettingsFactory(properties);
		return new HotKeyRecorder(manager, store, executor, settings::warmStart, interval);
	}

	@Bean
	@ConditionalOnMissingBean
	WarmStartRunner tieredCacheWarmStartRunner(
			@Qualifier(TieredCacheAutoConfiguration.CACHE_MANAGER_BEAN_NAME) TieredCacheManager manager,
			@Nullable RedisHotKeyStore store, TieredCacheProperties properties,
			ObjectProvider<TieredCacheWarmer> warmers, WarmStartStatistics statistics) {
		CacheSettingsFactory settings = new CacheSettingsFactory(properties);
		return new WarmStartRunner(manager, store, settings::warmStart, warmers, statistics);
	}

}
