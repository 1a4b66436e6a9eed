package dev.tieredcache.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Caffeine;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizers;
import org.springframework.boot.cache.autoconfigure.CacheProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.cache.CacheManager;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.thread.Threading;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Role;
import org.springframework.core.convert.ConversionService;
import org.springframework.core.env.Environment;
import org.springframework.core.task.TaskDecorator;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.format.support.FormattingConversionService;

import dev.tieredcache.TieredCacheOperations;
import dev.tieredcache.cache.CacheKeyEncoder;
import dev.tieredcache.cache.CacheObserver;
import dev.tieredcache.cache.CacheServices;
import dev.tieredcache.cache.DefaultTieredCacheOperations;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.interceptor.CacheNamesValidator;
import dev.tieredcache.interceptor.CacheOperationSource;
import dev.tieredcache.interceptor.DefaultKeyValidator;
import dev.tieredcache.interceptor.TieredCacheAdvisor;
import dev.tieredcache.interceptor.TieredCacheInterceptor;
import dev.tieredcache.local.LocalVersions;
import dev.tieredcache.redis.CircuitBreaker;
import dev.tieredcache.redis.CoordinationStatistics;
import dev.tieredcache.redis.InvalidationSubscriber;
import dev.tieredcache.redis.InvalidationSubscription;
import dev.tieredcache.redis.LoadWaiters;
import dev.tieredcache.redis.MessageSequences;
import dev.tieredcache.redis.RedisCommandExecutor;
import dev.tieredcache.redis.RedisKeyLayout;
import dev.tieredcache.redis.RedisKeyLayout.VersionKind;
import dev.tieredcache.redis.RedisStore;
import dev.tieredcache.redis.VersionSource;
import dev.tieredcache.redis.VersionTracker;
import dev.tieredcache.schema.CacheSchemas;
import dev.tieredcache.serialization.AllowListJsonSerializer;
import dev.tieredcache.serialization.EntryCodec;
import dev.tieredcache.serialization.ValueSerializer;
import dev.tieredcache.writebehind.WriteFences;

/**
 * Auto-configuration of the tiered cache: a {@link TieredCacheManager} named
 * {@value #CACHE_MANAGER_BEAN_NAME} (Caffeine L1 in front of Redis L2, on the application's
 * own Lettuce connection), the invalidation subscription, {@link TieredCacheOperations} and
 * the advice behind the cache annotations, which always use that manager.
 *
 * <p>The manager is also the application's {@code cacheManager}, the one plain
 * {@code @Cacheable} uses, unless the application chose another one (a {@link CacheManager}
 * bean of its own, or {@code spring.cache.type}): see {@link TieredCacheManagerConfiguration}.
 *
 * <p>Runs after Spring Boot's Redis auto-configuration, whose connection factory it uses
 * (the primary one if there are several), and before its cache auto-configuration, which
 * backs off once the application's {@code cacheManager} exists. Switched off by
 * {@code tiered-cache.enabled=false} and {@code spring.cache.type=none}; when it does not
 * apply, {@link TieredCacheAbsentAutoConfiguration} makes sure no annotated method silently
 * runs uncached.
 *
 * <p>With {@code tiered-cache.redis.enabled=false} (the L1-only mode, for tests and local
 * development) it needs no connection factory and uses none: no Redis executor, no
 * subscription; the manager keeps its versions in the JVM ({@link LocalVersions}).
 */
@AutoConfiguration(afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
		beforeName = "org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration")
@ConditionalOnClass(value = { LettuceConnectionFactory.class, Caffeine.class }, name = "io.lettuce.core.RedisClient")
@Conditional({ OnTieredCacheEnabledCondition.class, OnRedisOrLocalOnlyCondition.class })
@EnableConfigurationProperties({ TieredCacheProperties.class, CacheProperties.class })
@Import({ TieredCacheManagerConfiguration.Dedicated.class, TieredCacheManagerConfiguration.ApplicationDefault.class,
		TieredCacheObservationConfiguration.class, TieredCacheWriteBehindConfiguration.class,
		TieredCacheWarmStartConfiguration.class, TieredCacheExistenceConfiguration.class })
public final class TieredCacheAutoConfiguration {

	/** Name of the tiered cache manager bean, whatever the application's own cache manager is. */
	public static final String CACHE_MANAGER_BEAN_NAME = "tieredCacheManager";

	/** The property that switches Redis off: the L1-only mode. */
	static final String REDIS_ENABLED_PROPERTY = "tiered-cache.redis.enabled";

	@Bean
	@ConditionalOnMissingBean
	CoordinationStatistics tieredCacheCoordinationStatistics() {
		return new CoordinationStatistics();
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = REDIS_ENABLED_PROPERTY, matchIfMissing = true)
	RedisCommandExecutor tieredCacheRedisExecutor(LettuceConnectionFactory connectionFactory,
			TieredCacheProperties properties, CoordinationStatistics statistics) {
		TieredCacheProperties.Redis redis = properties.getRedis();
		requirePositive("tiered-cache.redis.command-timeout", redis.getCommandTimeout());
		requirePositive("tiered-cache.redis.circuit-open-duration", redis.getCircuitOpenDuration());
		if (redis.getCircuitFailureThreshold() < 1) {
			throw new InvalidConfigurationPropertyValueException("tiered-cache.redis.circuit-failure-threshold",
					redis.getCircuitFailureThreshold(), "Must be at least 1");
		}
		ClusterTopologyRefreshCheck.warnIfDisabled(connectionFactory);
		return new RedisCommandExecutor(connectionFactory, redis.getCommandTimeout(),
				new CircuitBreaker(redis.getCircuitFailureThreshold(), redis.getCircuitOpenDuration()), statistics);
	}

	// Depending on the Redis executor, it is destroyed first: work that finishes during
	// shutdown still reaches Redis.
	@Bean
	@ConditionalOnMissingBean
	TieredCacheExecutors tieredCacheExecutors(TieredCacheProperties properties, Environment environment,
			ObjectProvider<TaskDecorator> decorator, @Nullable RedisCommandExecutor redis) {
		TieredCacheProperties.Refresh refresh = properties.getRefresh();
		requireAtLeastOne("tiered-cache.refresh.threads", refresh.getThreads());
		requireAtLeastOne("tiered-cache.async.threads", properties.getAsync().getThreads());
		if (properties.getShutdownTimeout() == null || properties.getShutdownTimeout().isNegative()) {
			throw new InvalidConfigurationPropertyValueException("tiered-cache.shutdown-timeout",
					properties.getShutdownTimeout(), "Must not be negative");
		}
		return new TieredCacheExecutors(refresh.getThreads(), refresh.getQueueCapacity(),
				properties.getAsync().getThreads(), Threading.VIRTUAL.isActive(environment),
				properties.getShutdownTimeout(), decorator.getIfUnique());
	}

	private static void requireAtLeastOne(String property, int value) {
		if (value < 1) {
			throw new InvalidConfigurationPropertyValueException(property, value, "Must be at least 1");
		}
	}
	@Bean
	@ConditionalOnMissingBean
	CacheKeyEncoder tieredCacheKeyEncoder(ObjectProvider<ConversionService> conversionServices,
			ListableBeanFactory beanFactory) {
		return new CacheKeyEncoder(keyConversionService(conversionServices, beanFactory));
	}

	/**
	 * The default serializer: JSON with type ids checked against the allow-list, on the
	 * application's Jackson configuration when it has one (Spring Boot's
	 * {@code JsonMapper.Builder}, with its modules and {@code JsonMapperBuilderCustomizer}s).
	 */
	@Bean
	@ConditionalOnMissingBean
	ValueSerializer tieredCacheValueSerializer(TieredCacheProperties properties, BeanFactory beanFactory,
			ObjectProvider<JsonMapper.Builder> jsonMapperBuilder) {
		return new AllowListJsonSerializer(jsonMapperBuilder.getIfUnique(JsonMapper::builder),
				allowedPackages(properties, beanFactory));
	}

	/**
	 * Creates the tiered cache manager; {@link TieredCacheManagerConfiguration} registers it
	 * under the name and with the candidacy that fit the application.
	 */
	static TieredCacheManager cacheManager(TieredCacheProperties properties, CacheProperties cacheProperties,
			@Nullable RedisCommandExecutor executor, TieredCacheExecutors executors, CoordinationStatistics statistics,
			CacheManagerCustomizers customizers, ValueSerializer valueSerializer, CacheKeyEncoder keyEncoder,
			CacheObserver observer) {
		RedisKeyLayout layout = keyLayout(properties.getKeyPrefix());
		Duration versionTtl = properties.getVersions().getTtl();
		requirePositive("tiered-cache.versions.ttl", versionTtl);
		requirePositive("tiered-cache.versions.refresh-interval", properties.getVersions().getRefreshInterval());
		Duration repair = properties.getRedis().getRepairInterval();
		requirePositive("tiered-cache.redis.repair-interval", repair);
		// Without Redis (L1-only mode) there is no store, and the versions live in this JVM.
		RedisStore store = (executor != null)
				? new RedisStore(executor, layout, UUID.randomUUID().toString(), versionTtl) : null;
		VersionSource versions = (store != null) ? store : new LocalVersions();
		Duration refresh = properties.getVersions().getRefreshInterval();
		CacheServices services = new CacheServices(store,
				new EntryCodec(valueSerializer),
				new VersionTracker(versions, VersionKind.TAG, refresh, executors.versions()),
				new VersionTracker(versions, VersionKind.GROUP, refresh, executors.versions()),
				new VersionTracker(versions, VersionKind.EPOCH, refresh, executors.versions()), new LoadWaiters(),
				executors.refresh(), executors.async(), System::currentTimeMillis, keyEncoder, observer);
		CacheSettingsFactory settings = new CacheSettingsFactory(properties);
		settings.validateAll();
		TieredCacheManager manager = new TieredCacheManager(settings, configuredNames(properties, cacheProperties),
				properties.isDynamic(), services, statistics);
		manager.getTransactions().setAware(properties.isTransactionAware());
		if (executor != null && store != null) {
			executor.onReconnect(manager::redisRestored);
			executor.schedule(repair, manager::replayPending);
			executor.schedule(repair, store::heartbeat);
		}
		return customizers.customize(manager);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = REDIS_ENABLED_PROPERTY, matchIfMissing = true)
	InvalidationSubscription tieredCacheInvalidationSubscription(LettuceConnectionFactory connectionFactory,
			@Qualifier(CACHE_MANAGER_BEAN_NAME) TieredCacheManager manager, TieredCacheProperties properties,
			RedisCommandExecutor executor) {
		// Messages of one instance may arrive slightly out of order (its threads send
		// concurrently); one missing for longer than this was lost.
		long graceNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(500),
				2 * properties.getRedis().getCommandTimeout().toNanos());
		long newcomerAfterNanos = properties.getRedis().getRepairInterval().toNanos() + graceNanos;
		MessageSequences sequences = new MessageSequences(graceNanos, newcomerAfterNanos, TimeUnit.MINUTES.toNanos(10),
				System::nanoTime);
		InvalidationSubscriber subscriber = new InvalidationSubscriber(manager.getServices().store().instanceId(),
				manager, sequences);
		executor.schedule(properties.getRedis().getRepairInterval(), subscriber::checkForLostMessages);
		return new InvalidationSubscription(connectionFactory, properties.getKeyPrefix() + "invalidation", subscriber,
				properties.getRedis().getCircuitOpenDuration());
	}

	@Bean
	@ConditionalOnMissingBean
	TieredCacheOperations tieredCacheOperations(@Qualifier(CACHE_MANAGER_BEAN_NAME) TieredCacheManager manager) {
		return new DefaultTieredCacheOperations(manager);
	}

	@Bean
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static CacheOperationSource tieredCacheOperationSource() {
		return new CacheOperationSource();
	}

	@Bean
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static TieredCacheAdvisor tieredCacheAdvisor(ObjectProvider<TieredCacheInterceptor> interceptor,
			CacheOperationSource source, Environment environment) {
		int order = environment.getProperty("tiered-cache.interceptor.order", Integer.class,
				TieredCacheAdvisor.DEFAULT_ORDER);
		return new TieredCacheAdvisor(interceptor::getObject, source, order);
	}

	@Bean
	@ConditionalOnMissingBean
	CacheNamesValidator tieredCacheNamesValidator(CacheOperationSource source,
			@Qualifier(CACHE_MANAGER_BEAN_NAME) TieredCacheManager manager) {
		return new CacheNamesValidator(source, manager);
	}

	@Bean
	@ConditionalOnMissingBean
	CacheSchemas tieredCacheSchemas(CacheOperationSource source,
			@Qualifier(CACHE_MANAGER_BEAN_NAME) TieredCacheManager manager, TieredCacheProperties properties,
			ConfigurableListableBeanFactory beanFactory) {
		CacheSettingsFactory settings = new CacheSettingsFactory(properties);
		return new CacheSchemas(manager, settings::schema, () -> {
			// Lazy beans and beans of other scopes are not proxied yet: their methods count too.
			source.parseBeanTypes(beanFactory);
			return source.valueTypes();
		});
	}

	@Bean
	@ConditionalOnMissingBean
	DefaultKeyValidator tieredCacheDefaultKeyValidator(CacheOperationSource source,
			@Qualifier(CACHE_MANAGER_BEAN_NAME) TieredCacheManager manager) {
		return new DefaultKeyValidator(source, manager.getServices().keyEncoder());
	}

	@Bean
	@ConditionalOnMissingBean
	TieredCacheInterceptor tieredCacheInterceptor(CacheOperationSource source,
			@Qualifier(CACHE_MANAGER_BEAN_NAME) TieredCacheManager manager,
			TieredCacheOperations operations, TieredCacheExecutors executors, BeanFactory beanFactory,
			ObjectProvider<WriteFences> fences) {
		return new TieredCacheInterceptor(source, manager, operations, beanFactory, executors.async(),
				fences::getIfAvailable);
	}

	/** The caches created up front: those of tiered-cache.caches and spring.cache.cache-names. */
	private static Set<String> configuredNames(TieredCacheProperties properties, CacheProperties cacheProperties) {
		Set<String> names = new LinkedHashSet<>(properties.getCaches().keySet());
		names.addAll(cacheProperties.getCacheNames());
		return names;
	}

	private static RedisKeyLayout keyLayout(String prefix) {
		if (prefix == null || prefix.isEmpty()) {
			throw new InvalidConfigurationPropertyValueException("tiered-cache.key-prefix", prefix,
					"The key prefix must not be empty");
		}
		if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
			throw new InvalidConfigurationPropertyValueException("tiered-cache.key-prefix", prefix,
					"The key prefix must not contain braces: they would pin every key to one Redis Cluster slot");
		}
		return new RedisKeyLayout(prefix);
	}

	/**
	 * The conversion service whose converters to {@code String} give key classes a string
	 * form: the application's {@code ConversionService} bean when it has exactly one (such
	 * as Spring MVC's, which holds the application's converter beans), otherwise one holding
	 * the application's {@code Converter}, {@code GenericConverter} and {@code Printer}
	 * beans.
	 */
	private static ConversionService keyConversionService(ObjectProvider<ConversionService> conversionServices,
			ListableBeanFactory beanFactory) {
		ConversionService unique = conversionServices.getIfUnique();
		if (unique != null) {
			return unique;
		}
		FormattingConversionService converters = new FormattingConversionService();
		ApplicationConversionService.addBeans(converters, beanFactory);
		return converters;
	}

	private static List<String> allowedPackages(TieredCacheProperties properties, BeanFactory beanFactory) {
		List<String> allowed = new ArrayList<>(properties.getSerialization().getAllowedPackages());
		if (allowed.isEmpty()) {
			if (AutoConfigurationPackages.has(beanFactory)) {
				allowed.addAll(AutoConfigurationPackages.get(beanFactory));
			}
		}
		for (String name : allowed) {
			if (name == null || name.isBlank()) {
				throw new InvalidConfigurationPropertyValueException("tiered-cache.serialization.allowed-packages",
						allowed, "Package names must not be empty");
			}
		}
		return allowed;
	}

	private static void requirePositive(String property, Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new InvalidConfigurationPropertyValueException(property, value, "Must be positive");
		}
	}

}
