package dev.tieredcache.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Caffeine;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.cache.CacheManager;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.thread.Threading;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.core.task.TaskDecorator;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tieredcache.TieredCacheOperations;
import dev.tieredcache.cache.CacheObserver;
import dev.tieredcache.cache.CacheServices;
import dev.tieredcache.cache.DefaultTieredCacheOperations;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.interceptor.CacheNamesValidator;
import dev.tieredcache.interceptor.CacheOperationSource;
import dev.tieredcache.interceptor.TieredCacheAdvisor;
import dev.tieredcache.interceptor.TieredCacheInterceptor;
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
import dev.tieredcache.redis.VersionTracker;
import dev.tieredcache.serialization.AllowListJsonSerializer;
import dev.tieredcache.serialization.EntryCodec;

/**
 * Auto-configuration of the tiered cache: a {@link TieredCacheManager} as the application's
 * {@code cacheManager} (Caffeine L1 in front of Redis L2, on the application's own Lettuce
 * connection), the invalidation subscription, {@link TieredCacheOperations} and the advice
 * behind the cache annotations.
 *
 * <p>Runs after Spring Boot's Redis auto-configuration, whose connection factory it uses,
 * and before its cache auto-configuration, which backs off once a {@link CacheManager}
 * exists. Backs off itself when the application defines its own {@code CacheManager}.
 */
@AutoConfiguration(afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
		beforeName = "org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration")
@ConditionalOnClass({ LettuceConnectionFactory.class, Caffeine.class })
@ConditionalOnBean(LettuceConnectionFactory.class)
@ConditionalOnMissingBean(CacheManager.class)
@ConditionalOnProperty(prefix = "tiered-cache", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(TieredCacheProperties.class)
@Import(TieredCacheObservationConfiguration.class)
public final class TieredCacheAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CoordinationStatistics tieredCacheCoordinationStatistics() {
		return new CoordinationStatistics();
	}

	@Bean
	@ConditionalOnMissingBean
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
			ObjectProvider<TaskDecorator> decorator, RedisCommandExecutor redis) {
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
	@ConditionalOnMissingBean(CacheManager.class)
	TieredCacheManager cacheManager(TieredCacheProperties properties, RedisCommandExecutor executor,
			TieredCacheExecutors executors, CoordinationStatistics statistics, ObjectProvider<CacheObserver> observer,
			BeanFactory beanFactory) {
		RedisKeyLayout layout = keyLayout(properties.getKeyPrefix());
		Duration versionTtl = properties.getVersions().getTtl();
		requirePositive("tiered-cache.versions.ttl", versionTtl);
		requirePositive("tiered-cache.versions.refresh-interval", properties.getVersions().getRefreshInterval());
		Duration repair = properties.getRedis().getRepairInterval();
		requirePositive("tiered-cache.redis.repair-interval", repair);
		RedisStore store = new RedisStore(executor, layout, UUID.randomUUID().toString(), versionTtl);
		Duration refresh = properties.getVersions().getRefreshInterval();
		CacheServices services = new CacheServices(store,
				new EntryCodec(new AllowListJsonSerializer(allowedPackages(properties, beanFactory))),
				new VersionTracker(store, VersionKind.TAG, refresh, executors.versions()),
				new VersionTracker(store, VersionKind.GROUP, refresh, executors.versions()),
				new VersionTracker(store, VersionKind.EPOCH, refresh, executors.versions()), new LoadWaiters(),
				executors.refresh(), executors.async(), System::currentTimeMillis,
				observer.getIfAvailable(() -> CacheObserver.NONE));
		CacheSettingsFactory settings = new CacheSettingsFactory(properties);
		settings.validateAll();
		TieredCacheManager manager = new TieredCacheManager(settings, properties.getCaches().keySet(),
				properties.isDynamic(), services, statistics);
		manager.getTransactions().setAware(properties.isTransactionAware());
		executor.onReconnect(manager::redisRestored);
		executor.schedule(repair, manager::replayPending);
		executor.schedule(repair, store::heartbeat);
		return manager;
	}

	@Bean
	@ConditionalOnMissingBean
	InvalidationSubscription tieredCacheInvalidationSubscription(LettuceConnectionFactory connectionFactory,
			TieredCacheManager manager, TieredCacheProperties properties, RedisCommandExecutor executor) {
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
	TieredCacheOperations tieredCacheOperations(TieredCacheManager manager) {
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
	CacheNamesValidator tieredCacheNamesValidator(CacheOperationSource source, TieredCacheManager manager) {
		return new CacheNamesValidator(source, manager);
	}

	@Bean
	@ConditionalOnMissingBean
	TieredCacheInterceptor tieredCacheInterceptor(CacheOperationSource source, TieredCacheManager manager,
			TieredCacheOperations operations, TieredCacheExecutors executors, BeanFactory beanFactory) {
		return new TieredCacheInterceptor(source, manager, operations, beanFactory, executors.async());
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

	private static List<String> allowedPackages(TieredCacheProperties properties, BeanFactory beanFactory) {
		List<String> allowed = new ArrayList<>(properties.getSerialization().getAllowedPackages());
		if (allowed.isEmpty()) {
			allowed.add("java");
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
