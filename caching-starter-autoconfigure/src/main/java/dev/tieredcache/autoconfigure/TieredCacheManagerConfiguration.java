package dev.tieredcache.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.NoneNestedConditions;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizer;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizers;
import org.springframework.boot.cache.autoconfigure.CacheProperties;
import org.springframework.cache.CacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

import dev.tieredcache.cache.CacheKeyEncoder;
import dev.tieredcache.cache.CacheObserver;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.CoordinationStatistics;
import dev.tieredcache.redis.RedisCommandExecutor;
import dev.tieredcache.serialization.ValueSerializer;

/**
 * Registers the {@link TieredCacheManager} as {@value TieredCacheAutoConfiguration#CACHE_MANAGER_BEAN_NAME},
 * in one of two ways:
 *
 * <ul>
 * <li>The application chose no cache manager (no {@link CacheManager} bean, no
 * {@code spring.cache.type}): the tiered manager is also its {@code cacheManager}, the bean
 * that {@code @EnableCaching} finds by type for plain {@code @Cacheable}, and Spring Boot's
 * cache auto-configuration backs off.</li>
 * <li>The application chose one: the tiered manager is registered as no default candidate
 * ({@code @Bean(defaultCandidate = false)}). Lookups by type that find several cache
 * managers (injection of a {@code CacheManager}, {@code @EnableCaching}'s
 * {@code getBean(CacheManager.class)}, Spring Boot's bean conditions) pass over it, so the
 * application's manager stays the one plain {@code @Cacheable} uses, with no
 * {@code NoUniqueBeanDefinitionException} and no change of primary; the tiered manager is
 * reached by name ({@code @Cacheable(cacheManager = "tieredCacheManager")},
 * {@code @Qualifier("tieredCacheManager")}), and the starter's annotations use it.</li>
 * </ul>
 *
 * <p>Either way, {@code CacheManagerCustomizer<TieredCacheManager>} beans are applied and
 * {@code spring.cache.cache-names} are created up front, as Spring Boot does for its own
 * managers.
 *
 * <p>{@link TieredCacheAutoConfiguration} imports the two, in this order.
 */
abstract class TieredCacheManagerConfiguration {

	private static TieredCacheManager create(TieredCacheProperties properties, CacheProperties cacheProperties,
			@Nullable RedisCommandExecutor executor, TieredCacheExecutors executors, CoordinationStatistics statistics,
			ObjectProvider<CacheManagerCustomizer<?>> customizers, ValueSerializer valueSerializer,
			CacheKeyEncoder keyEncoder, ObjectProvider<CacheObserver> observer) {
		return TieredCacheAutoConfiguration.cacheManager(properties, cacheProperties, executor, executors, statistics,
				new CacheManagerCustomizers(customizers.orderedStream().toList()), valueSerializer, keyEncoder,
				observer.getIfAvailable(() -> CacheObserver.NONE));
	}

	/** The application chose its own cache manager: ours is reached by name only. */
	@Configuration(proxyBeanMethods = false)
	@Conditional(ApplicationChoseCacheManager.class)
	static class Dedicated {

		@Bean(name = TieredCacheAutoConfiguration.CACHE_MANAGER_BEAN_NAME, defaultCandidate = false)
		@ConditionalOnMissingBean(name = TieredCacheAutoConfiguration.CACHE_MANAGER_BEAN_NAME)
		TieredCacheManager tieredCacheManager(TieredCacheProperties properties, CacheProperties cacheProperties,
				@Nullable RedisCommandExecutor executor, TieredCacheExecutors executors, CoordinationStatistics statistics,
				ObjectProvider<CacheManagerCustomizer<?>> customizers, ValueSerializer valueSerializer,
				CacheKeyEncoder keyEncoder, ObjectProvider<CacheObserver> observer) {
			return create(properties, cacheProperties, executor, executors, statistics, customizers, valueSerializer,
					keyEncoder, observer);
		}

	}

	/** The application chose no cache manager: ours is its {@code cacheManager} too. */
	@Configuration(proxyBeanMethods = false)
	@Conditional(ApplicationChoseNoCacheManager.class)
	static class ApplicationDefault {

		@Bean(name = { "cacheManager", TieredCacheAutoConfiguration.CACHE_MANAGER_BEAN_NAME })
		@ConditionalOnMissingBean(name = TieredCacheAutoConfiguration.CACHE_MANAGER_BEAN_NAME)
		TieredCacheManager cacheManager(TieredCacheProperties properties, CacheProperties cacheProperties,
				@Nullable RedisCommandExecutor executor, TieredCacheExecutors executors, CoordinationStatistics statistics,
				ObjectProvider<CacheManagerCustomizer<?>> customizers, ValueSerializer valueSerializer,
				CacheKeyEncoder keyEncoder, ObjectProvider<CacheObserver> observer) {
			return create(properties, cacheProperties, executor, executors, statistics, customizers, valueSerializer,
					keyEncoder, observer);
		}

	}

	/** A {@link CacheManager} bean of the application's, or a {@code spring.cache.type}. */
	static final class ApplicationChoseCacheManager extends AnyNestedCondition {

		ApplicationChoseCacheManager() {
			super(ConfigurationPhase.REGISTER_BEAN);
		}

		@ConditionalOnBean(CacheManager.class)
		static class CacheManagerBean {

		}

		@ConditionalOnProperty("spring.cache.type")
		static class CacheType {

		}

	}

	/** Neither a {@link CacheManager} bean of the application's nor a {@code spring.cache.type}. */
	static final class ApplicationChoseNoCacheManager extends NoneNestedConditions {

		ApplicationChoseNoCacheManager() {
			super(ConfigurationPhase.REGISTER_BEAN);
		}

		@ConditionalOnBean(CacheManager.class)
		static class CacheManagerBean {

		}

		@ConditionalOnProperty("spring.cache.type")
		static class CacheType {

		}

	}

}
