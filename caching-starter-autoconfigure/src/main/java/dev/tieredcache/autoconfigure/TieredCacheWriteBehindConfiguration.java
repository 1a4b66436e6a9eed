package dev.tieredcache.autoconfigure;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;

import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.interceptor.TieredCacheAdvisor;
import dev.tieredcache.interceptor.WriteBehindAdvisor;
import dev.tieredcache.interceptor.WriteBehindInterceptor;
import dev.tieredcache.redis.RedisWriteBehindStore;
import dev.tieredcache.writebehind.WriteBehindDeadLetters;
import dev.tieredcache.writebehind.WriteBehindFlusher;
import dev.tieredcache.writebehind.WriteBehindMethods;
import dev.tieredcache.writebehind.WriteBehindStatistics;
import dev.tieredcache.writebehind.WriteBehindWrites;
import dev.tieredcache.writebehind.WriteFences;

/**
 * Write-behind ({@code @WriteBehind}): the advice, the Redis side, the registry of flush
 * methods and the flusher. Imported by {@link TieredCacheAutoConfiguration}. In the L1-only
 * mode there is no Redis side: the methods run at once (write-through).
 */
@Configuration(proxyBeanMethods = false)
class TieredCacheWriteBehindConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static WriteBehindAdvisor tieredCacheWriteBehindAdvisor(ObjectProvider<WriteBehindInterceptor> interceptor,
			Environment environment) {
		int order = environment.getProperty("tiered-cache.interceptor.order", Integer.class,
				TieredCacheAdvisor.DEFAULT_ORDER);
		return new WriteBehindAdvisor(interceptor::getObject, order);
	}

	@Bean
	@ConditionalOnMissingBean
	WriteBehindStatistics tieredCacheWriteBehindStatistics() {
		return new WriteBehindStatistics();
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = TieredCacheAutoConfiguration.REDIS_ENABLED_PROPERTY, matchIfMissing = true)
	RedisWriteBehindStore tieredCacheWriteBehindStore(
			@Qualifier(TieredCacheAutoConfiguration.CACHE_MANAGER_BEAN_NAME) TieredCacheManager manager) {
		return new RedisWriteBehindStore(manager.getServices().store());
	}

	@Bean
	@ConditionalOnMissingBean
	WriteBehindWrites tieredCacheWriteBehindWrites(
			@Qualifier(TieredCacheAutoConfiguration.CACHE_MANAGER_BEAN_NAME) TieredCacheManager manager,
			ObjectProvider<RedisWriteBehindStore> store, WriteBehindStatistics statistics) {
		return new WriteBehindWrites(manager, store.getIfAvailable(), statistics);
	}

	@Bean
	@ConditionalOnMissingBean
	WriteBehindInterceptor tieredCacheWriteBehindInterceptor(WriteBehindWrites writes,
			ObjectProvider<WriteFences> fences, BeanFactory beanFactory) {
		return new WriteBehindInterceptor(writes, fences.getIfAvailable(), beanFactory);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = TieredCacheAutoConfiguration.REDIS_ENABLED_PROPERTY, matchIfMissing = true)
	WriteFences tieredCacheWriteFences(
			@Qualifier(TieredCacheAutoConfiguration.CACHE_MANAGER_BEAN_NAME) TieredCacheManager manager,
			RedisWriteBehindStore store, WriteBehindMethods methods, TieredCacheProperties properties) {
		CacheSettingsFactory settings = new CacheSettingsFactory(properties);
		return new WriteFences(manager, store, methods, settings::writeBehind);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = TieredCacheAutoConfiguration.REDIS_ENABLED_PROPERTY, matchIfMissing = true)
	WriteBehindDeadLetters tieredCacheWriteBehindDeadLetters(
			@Qualifier(TieredCacheAutoConfiguration.CACHE_MANAGER_BEAN_NAME) TieredCacheManager manager,
			RedisWriteBehindStore store, WriteBehindMethods methods) {
		return new WriteBehindDeadLetters(manager, store, methods);
	}

	@Bean
	@ConditionalOnMissingBean
	WriteBehindMethods tieredCacheWriteBehindMethods(
			@Qualifier(TieredCacheAutoConfiguration.CACHE_MANAGER_BEAN_NAME) TieredCacheManager manager) {
		return new WriteBehindMethods(manager);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = TieredCacheAutoConfiguration.REDIS_ENABLED_PROPERTY, matchIfMissing = true)
	WriteBehindFlusher tieredCacheWriteBehindFlusher(
			@Qualifier(TieredCacheAutoConfiguration.CACHE_MANAGER_BEAN_NAME) TieredCacheManager manager,
			WriteBehindMethods methods, RedisWriteBehindStore store, WriteBehindStatistics statistics,
			TieredCacheProperties properties) {
		CacheSettingsFactory settings = new CacheSettingsFactory(properties);
		return new WriteBehindFlusher(manager, methods, store, settings::writeBehind, statistics,
				properties.getShutdownTimeout());
	}

}
