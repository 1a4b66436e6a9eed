package dev.tieredcache.benchmarks;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import javax.sql.DataSource;

import com.github.benmanes.caffeine.cache.Caffeine;
import org.redisson.Redisson;
import org.redisson.api.NameMapper;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.redisson.spring.cache.CacheConfig;
import org.redisson.spring.cache.RedissonSpringCacheManager;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.caffeine.CaffeineCacheManager;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.data.redis.cache.BatchStrategies;
import org.springframework.data.redis.cache.RedisCacheConfiguration;
import org.springframework.data.redis.cache.RedisCacheManager;
import org.springframework.data.redis.cache.RedisCacheWriter;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.serializer.JacksonJsonRedisSerializer;
import org.springframework.data.redis.serializer.RedisSerializationContext.SerializationPair;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.tieredcache.autoconfigure.TieredCacheAutoConfiguration;

/**
 * Application contexts that stand for instances of an application, built the way Spring
 * Boot builds them (Boot's Redis and AOP auto-configuration, then ours), without the rest of
 * Boot: the starter's instances, and the references, Spring's {@code @Cacheable} on a
 * {@link CaffeineCacheManager} or a {@link RedisCacheManager}. Every context of one run uses
 * its own key prefix on the shared Redis, so runs never see each other's keys.
 */
public final class Instances {

	/** The Redis every benchmark uses; {@code -Dbench.redis.port} overrides the port. */
	public static final String HOST = "127.0.0.1";

	private Instances() {
	}

	public static int port() {
		return Integer.getInteger("bench.redis.port", 6379);
	}

	/**
	 * Starts an instance of the starter.
	 * @param port the Redis port
	 * @param prefix the key prefix
	 * @param source the loader behind its methods
	 * @param properties more {@code key=value} properties, such as
	 * {@code tiered-cache.defaults.local.enabled=false}
	 * @return the running context, holding a {@link StarterProducts} bean
	 */
	public static ConfigurableApplicationContext starter(int port, String prefix, ProductSource source,
			String... properties) {
		Map<String, Object> values = redisProperties(port);
		values.put("tiered-cache.key-prefix", prefix);
		values.put("tiered-cache.serialization.allowed-packages", "java,dev.tieredcache");
		return start(StarterConfiguration.class, source, values, properties);
	}

	/**
	 * Starts an instance of the starter that writes to a database: a {@link WriteCounters}
	 * bean over the given data source.
	 * @param port the Redis port
	 * @param prefix the key prefix
	 * @param dataSource the database
	 * @param properties more {@code key=value} properties
	 * @return the running context, holding a {@link WriteCounters} bean
	 */
	public static ConfigurableApplicationContext writer(int port, String prefix, DataSource dataSource,
			String... properties) {
		Map<String, Object> values = redisProperties(port);
		values.put("tiered-cache.key-prefix", prefix);
		values.put("tiered-cache.serialization.allowed-packages", "java,dev.tieredcache");
		return start(WriterConfiguration.class, (context) -> context.registerBean(DataSource.class, () -> dataSource),
				values, properties);
	}

	/**
	 * Starts the L1 reference: Spring's cache abstraction on Caffeine, bounded and expiring
	 * like the starter's L1 by default.
	 * @param source the loader behind its methods
	 * @return the running context, holding a {@link SpringProducts} bean
	 */
	public static ConfigurableApplicationContext springCaffeine(ProductSource source) {
		return start(CaffeineConfiguration.class, source, new LinkedHashMap<>());
	}

	/**
	 * Starts the L2 reference: Spring's cache abstraction on Spring Data Redis, with JSON
	 * values like the starter's.
	 * @param port the Redis port
	 * @param prefix the key prefix
	 * @param source the loader behind its methods
	 * @return the running context, holding a {@link SpringProducts} bean
	 */
	public static ConfigurableApplicationContext springRedis(int port, String prefix, ProductSource source) {
		return springRedis(port, prefix, source, false);
	}

	/**
	 * Starts the L2 reference, with Spring Boot's default cache writer (non-locking) or with
	 * Spring Data Redis's locking writer, which serializes loads through a Redis lock.
	 * @param port the Redis port
	 * @param prefix the key prefix
	 * @param source the loader behind its methods
	 * @param locking whether to use the locking cache writer
	 * @return the running context, holding a {@link SpringProducts} bean
	 */
	public static ConfigurableApplicationContext springRedis(int port, String prefix, ProductSource source,
			boolean locking) {
		return springRedis(port, prefix, source, locking, false);
	}

	/**
	 * Starts the L2 reference, with or without the locking cache writer, and with Spring
	 * Boot's default asynchronous writes or with immediate writes. With Lettuce, Spring
	 * Data Redis 4 applies {@code put} and {@code evict} asynchronously by default: they may
	 * land after the call returned, even after a later {@code invalidate()}; immediate
	 * writes return once Redis has them.
	 * @param port the Redis port
	 * @param prefix the key prefix
	 * @param source the loader behind its methods
	 * @param locking whether to use the locking cache writer
	 * @param immediateWrites whether writes return only once Redis has applied them
	 * @return the running context, holding a {@link SpringProducts} bean
	 */
	public static ConfigurableApplicationContext springRedis(int port, String prefix, ProductSource source,
			boolean locking, boolean immediateWrites) {
		Map<String, Object> values = redisProperties(port);
		values.put("bench.prefix", prefix);
		values.put("bench.locking", locking);
		values.put("bench.immediate-writes", immediateWrites);
		return start(RedisConfiguration.class, source, values);
	}

	/**
	 * Starts Redisson's Spring cache abstraction: {@code @Cacheable} on a
	 * {@code RedissonSpringCacheManager} (each cache an {@code RMapCache}: one Redis hash
	 * plus the sorted sets that expire its entries), with Redisson's default client
	 * settings and codec and a 10-minute time to live for cache {@code products}. Every
	 * Redisson object name is prefixed, so runs never see each other's keys.
	 * @param port the Redis port
	 * @param prefix the prefix of Redisson's object names
	 * @param source the loader behind its methods
	 * @return the running context, holding a {@link SpringProducts} bean
	 */
	public static ConfigurableApplicationContext redissonSpring(int port, String prefix, ProductSource source) {
		Map<String, Object> values = new LinkedHashMap<>();
		values.put("bench.port", port);
		values.put("bench.prefix", prefix);
		return start(RedissonSpringConfiguration.class, source, values);
	}

	private static Map<String, Object> redisProperties(int port) {
		Map<String, Object> values = new LinkedHashMap<>();
		values.put("spring.data.redis.host", HOST);
		values.put("spring.data.redis.port", port);
		values.put("spring.data.redis.timeout", "2s");
		return values;
	}

	private static ConfigurableApplicationContext start(Class<?> configuration, ProductSource source,
			Map<String, Object> values, String... properties) {
		return start(configuration, (context) -> context.registerBean(ProductSource.class, () -> source), values,
				properties);
	}

	private static ConfigurableApplicationContext start(Class<?> configuration,
			Consumer<AnnotationConfigApplicationContext> beans, Map<String, Object> values, String... properties) {
		for (String property : properties) {
			int eq = property.indexOf('=');
			values.put(property.substring(0, eq), property.substring(eq + 1));
		}
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("benchmark", values));
		beans.accept(context);
		context.register(configuration);
		context.refresh();
		return context;
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DataRedisAutoConfiguration.class, AopAutoConfiguration.class,
			TieredCacheAutoConfiguration.class })
	static class StarterConfiguration {

		@Bean
		StarterProducts starterProducts(ProductSource source) {
			return new StarterProducts(source);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DataRedisAutoConfiguration.class, AopAutoConfiguration.class,
			TieredCacheAutoConfiguration.class })
	static class WriterConfiguration {

		@Bean
		WriteCounters writeCounters(DataSource dataSource) {
			return new WriteCounters(new JdbcTemplate(dataSource));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching(proxyTargetClass = true)
	static class CaffeineConfiguration {

		@Bean
		CaffeineCacheManager cacheManager() {
			CaffeineCacheManager manager = new CaffeineCacheManager();
			manager.setCaffeine(Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(1)));
			return manager;
		}

		@Bean
		SpringProducts springProducts(ProductSource source) {
			return new SpringProducts(source);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching(proxyTargetClass = true)
	static class RedissonSpringConfiguration {

		@Bean(destroyMethod = "")
		RedissonClient redisson(org.springframework.core.env.Environment environment) {
			String prefix = environment.getRequiredProperty("bench.prefix");
			Config config = new Config();
			config.useSingleServer()
				.setAddress("redis://" + HOST + ":" + environment.getRequiredProperty("bench.port"))
				.setNameMapper(new NameMapper() {

					@Override
					public String map(String name) {
						return prefix + name;
					}

					@Override
					public String unmap(String name) {
						return name.substring(prefix.length());
					}

				});
			return Redisson.create(config);
		}

		@Bean
		RedissonSpringCacheManager cacheManager(RedissonClient redisson) {
			return new RedissonSpringCacheManager(redisson,
					Map.of("products", new CacheConfig(Duration.ofMinutes(10).toMillis(), 0)));
		}

		@Bean
		SpringProducts springProducts(ProductSource source) {
			return new SpringProducts(source);
		}

		@Bean
		org.springframework.beans.factory.DisposableBean redissonShutdown(RedissonClient redisson) {
			return () -> RedissonInstance.shutdown(redisson);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching(proxyTargetClass = true)
	@ImportAutoConfiguration(DataRedisAutoConfiguration.class)
	static class RedisConfiguration {

		@Bean
		RedisCacheManager cacheManager(LettuceConnectionFactory connectionFactory,
				org.springframework.core.env.Environment environment) {
			RedisCacheConfiguration config = RedisCacheConfiguration.defaultCacheConfig()
				.entryTtl(Duration.ofMinutes(10))
				.prefixCacheNameWith(environment.getRequiredProperty("bench.prefix"))
				.serializeValuesWith(SerializationPair.fromSerializer(new JacksonJsonRedisSerializer<>(Product.class)));
			boolean locking = environment.getProperty("bench.locking", Boolean.class, false);
			boolean immediate = environment.getProperty("bench.immediate-writes", Boolean.class, false);
			RedisCacheWriter writer = RedisCacheWriter.create(connectionFactory, (writerConfig) -> {
				// SCAN rather than KEYS for clear(): the Redis is shared.
				writerConfig.batchStrategy(BatchStrategies.scan(1000));
				if (locking) {
					writerConfig.enableLocking();
				}
				writerConfig.immediateWrites(immediate);
			});
			return RedisCacheManager.builder(writer).cacheDefaults(config).build();
		}

		@Bean
		SpringProducts springProducts(ProductSource source) {
			return new SpringProducts(source);
		}

	}

}
