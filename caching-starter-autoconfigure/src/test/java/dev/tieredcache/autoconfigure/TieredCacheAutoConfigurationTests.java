package dev.tieredcache.autoconfigure;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizer;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.cache.support.NoOpCacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisSentinelConnection;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.tieredcache.TieredCacheOperations;
import dev.tieredcache.annotation.ReadThrough;
import dev.tieredcache.cache.CacheSettings;
import dev.tieredcache.cache.CacheStatistics.Tier;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.interceptor.TieredCacheAdvisor;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Wiring of {@link TieredCacheAutoConfiguration} (and of
 * {@link TieredCacheAbsentAutoConfiguration} where no tiered cache can exist): what it
 * registers, how it lives with the application's own cache manager, when it is switched off,
 * how it binds and how it rejects bad configuration.
 */
@ExtendWith(OutputCaptureExtension.class)
class TieredCacheAutoConfigurationTests {

	private static final String METHOD = "@ReadThrough on AnnotatedService.find(String)";

	private final String prefix = TestRedis.uniquePrefix("autoconfig");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, this.prefix)
		.withConfiguration(AutoConfigurations.of(CacheAutoConfiguration.class,
				TieredCacheAbsentAutoConfiguration.class));

	/** Without the test support's Lettuce customizer, for applications without Lettuce. */
	private final ApplicationContextRunner plainRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, AopAutoConfiguration.class,
				TieredCacheAutoConfiguration.class, TieredCacheAbsentAutoConfiguration.class))
		.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + TestRedis.SHARED_PORT,
				"tiered-cache.key-prefix=" + this.prefix);

	@Test
	void registersTheTieredCacheManagerAsTheCacheManager() {
		this.runner.withUserConfiguration(CachingConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(CacheManager.class);
			assertThat(context.getBean("cacheManager")).isInstanceOf(TieredCacheManager.class)
				.isSameAs(context.getBean("tieredCacheManager"));
			assertThat(context).hasSingleBean(TieredCacheOperations.class);
			assertThat(context).hasSingleBean(TieredCacheAdvisor.class);
		});
	}

	@Test
	void keepsTheApplicationsCacheManagerForPlainCachingAndRegistersOursByName() {
		this.runner
			.withUserConfiguration(CachingConfiguration.class, UserCacheManagerConfiguration.class,
					CacheManagerConsumer.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(CacheManager.class)).isInstanceOf(ConcurrentMapCacheManager.class);
				assertThat(context.getBean(CacheManagerConsumer.class).manager)
					.isInstanceOf(ConcurrentMapCacheManager.class);
				assertThat(context.getBean("tieredCacheManager")).isInstanceOf(TieredCacheManager.class);
				assertThat(context).doesNotHaveBean("cacheManager");
				assertThat(context.getBeansOfType(CacheManager.class)).containsOnlyKeys("userCacheManager",
						"tieredCacheManager");
				assertThat(context).hasSingleBean(TieredCacheOperations.class);
				assertThat(context).hasSingleBean(TieredCacheAdvisor.class);
			});
	}

	@Test
	void leavesTheApplicationsPrimaryCacheManagerPrimary() {
		this.runner.withUserConfiguration(CachingConfiguration.class, TwoUserCacheManagersConfiguration.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(CacheManager.class)).isSameAs(context.getBean("primaryCacheManager"));
				assertThat(context.getBean("tieredCacheManager")).isInstanceOf(TieredCacheManager.class);
			});
	}

	@Test
	void leavesPlainCachingToSpringBootWhenSpringCacheTypeIsSet() {
		this.runner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("spring.cache.type=simple")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(CacheManager.class)).isInstanceOf(ConcurrentMapCacheManager.class)
					.isSameAs(context.getBean("cacheManager"));
				assertThat(context.getBean("tieredCacheManager")).isInstanceOf(TieredCacheManager.class);
			});
	}

	@Test
	void isSwitchedOffBySpringCacheTypeNoneAsSpringsOwnCachingIs() {
		this.runner.withUserConfiguration(CachingConfiguration.class, AnnotatedServiceConfiguration.class)
			.withPropertyValues("spring.cache.type=NONE")
			.run((context) -> {
				assertThat(context).hasNotFailed().doesNotHaveBean(TieredCacheManager.class);
				assertThat(context.getBean(CacheManager.class)).isInstanceOf(NoOpCacheManager.class);
				AnnotatedService service = context.getBean(AnnotatedService.class);
				service.find("a");
				service.find("a");
				assertThat(service.loads).hasValue(2);
			});
	}

	@Test
	void isSwitchedOffByTheEnabledPropertyAndSaysSoOnce(CapturedOutput output) {
		this.runner.withUserConfiguration(AnnotatedServiceConfiguration.class)
			.withPropertyValues("tiered-cache.enabled=false")
			.run((context) -> {
				assertThat(context).hasNotFailed().doesNotHaveBean(TieredCacheManager.class);
				AnnotatedService service = context.getBean(AnnotatedService.class);
				service.find("a");
				service.find("a");
				assertThat(service.loads).hasValue(2);
			});
		String line = "The tiered cache is switched off by tiered-cache.enabled=false: " + METHOD + " run uncached";
		assertThat(output.getAll().split(java.util.regex.Pattern.quote(line), -1)).as("times logged plus one")
			.hasSize(2);
	}

	@Test
	void failsAtStartUpNamingTheAnnotatedMethodWhenLettuceIsMissing() {
		this.plainRunner.withClassLoader(new FilteredClassLoader("io.lettuce"))
			.withUserConfiguration(AnnotatedServiceConfiguration.class)
			.run((context) -> assertThat(context).getFailure()
				.hasMessageContaining(METHOD + " cannot be cached: ")
				.hasMessageContaining("Lettuce (io.lettuce:lettuce-core) is not on the classpath")
				.hasMessageContaining("tiered-cache.enabled=false"));
	}

	@Test
	void failsAtStartUpNamingTheAnnotatedMethodWhenRedisIsNotReachedThroughLettuce() {
		this.plainRunner.withUserConfiguration(JedisStyleConfiguration.class, AnnotatedServiceConfiguration.class)
			.run((context) -> assertThat(context).getFailure()
				.hasMessageContaining(METHOD + " cannot be cached: ")
				.hasMessageContaining("'redisConnectionFactory' (JedisStyleConnectionFactory) is not a "
						+ "LettuceConnectionFactory"));
	}

	@Test
	void failsAtStartUpNamingTheAnnotatedMethodWithoutARedisConnectionFactory() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, TieredCacheAutoConfiguration.class,
					TieredCacheAbsentAutoConfiguration.class))
			.withUserConfiguration(AnnotatedServiceConfiguration.class)
			.run((context) -> assertThat(context).getFailure()
				.hasMessageContaining(METHOD + " cannot be cached: ")
				.hasMessageContaining("no RedisConnectionFactory"));
	}

	@Test
	void usesThePrimaryOfTwoLettuceConnectionFactories() {
		this.plainRunner.withUserConfiguration(TwoConnectionFactoriesConfiguration.class, PrimaryFactory.class)
			.run((context) -> {
				TieredCache cache = context.getBean(TieredCacheManager.class).getCache("things");
				cache.put("k", "v");
				cache.clearLocal();
				assertThat(cache.get("k", String.class)).isEqualTo("v");
				assertThat(cache.getStatistics().hits(Tier.L2)).as("read back from the primary's Redis")
					.isEqualTo(1);
			});
	}

	@Test
	void failsAtStartUpNamingTheConnectionFactoriesWhenNoneIsPrimary() {
		this.plainRunner
			.withUserConfiguration(TwoConnectionFactoriesConfiguration.class, SecondFactory.class,
					AnnotatedServiceConfiguration.class)
			.run((context) -> assertThat(context).getFailure()
				.hasMessageContaining(METHOD + " cannot be cached: ")
				.hasMessageContaining("2 LettuceConnectionFactory beans [otherRedis, cacheRedis]")
				.hasMessageContaining("@Primary"));
	}

	@Test
	void warnsWhenNoTieredCacheCanExistAndNothingUsesItsAnnotations(CapturedOutput output) {
		this.plainRunner.withUserConfiguration(JedisStyleConfiguration.class)
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(TieredCacheManager.class));
		assertThat(output).contains("No tiered cache: its RedisConnectionFactory 'redisConnectionFactory' "
				+ "(JedisStyleConnectionFactory) is not a LettuceConnectionFactory");
	}

	@Test
	void appliesTheCacheManagerCustomizersOfTheTieredCacheManager() {
		this.runner.withUserConfiguration(CustomizerConfiguration.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(TieredCacheManager.class).getCacheNames()).containsExactly("warm");
		});
	}

	@Test
	void createsTheSpringCacheNamesUpFrontWithTheDefaults() {
		this.runner
			.withPropertyValues("spring.cache.cache-names=prices,stock", "tiered-cache.defaults.ttl=7m",
					"tiered-cache.dynamic=false")
			.run((context) -> {
				TieredCacheManager manager = context.getBean(TieredCacheManager.class);
				assertThat(manager.getCacheNames()).containsExactlyInAnyOrder("prices", "stock");
				assertThat(manager.getCache("prices").getSettings().ttl()).isEqualTo(Duration.ofMinutes(7));
				assertThatIllegalArgumentException().isThrownBy(() -> manager.getCache("orders"));
			});
	}

	@Test
	void backsOffWithoutLettuce() {
		this.runner.withClassLoader(new FilteredClassLoader(LettuceConnectionFactory.class))
			.run((context) -> assertThat(context).doesNotHaveBean(TieredCacheManager.class));
	}

	@Test
	void bindsDefaultsAndPerCacheOverrides() {
		this.runner
			.withPropertyValues("tiered-cache.defaults.ttl=10m", "tiered-cache.defaults.jitter=0.2",
					"tiered-cache.defaults.local.ttl=1m", "tiered-cache.caches.users.ttl=5m",
					"tiered-cache.caches.users.local.ttl=20s", "tiered-cache.caches.users.stampede.lease=3s")
			.run((context) -> {
				TieredCacheManager manager = context.getBean(TieredCacheManager.class);
				assertThat(manager.getCacheNames()).containsExactly("users");
				CacheSettings users = manager.getCache("users").getSettings();
				assertThat(users.ttl()).isEqualTo(Duration.ofMinutes(5));
				assertThat(users.localTtl()).isEqualTo(Duration.ofSeconds(20));
				assertThat(users.jitter()).isEqualTo(0.2);
				assertThat(users.lease()).isEqualTo(Duration.ofSeconds(3));
				assertThat(users.nullTtl()).isEqualTo(CacheSettings.DEFAULTS.nullTtl());
				TieredCache other = manager.getCache("other");
				assertThat(other.getSettings().ttl()).isEqualTo(Duration.ofMinutes(10));
			});
	}

	@Test
	void unknownCachesFailWithTheirNameWhenDynamicCreationIsOff() {
		this.runner.withPropertyValues("tiered-cache.dynamic=false", "tiered-cache.caches.users.ttl=5m")
			.run((context) -> {
				TieredCacheManager manager = context.getBean(TieredCacheManager.class);
				assertThat(manager.getCache("users")).isNotNull();
				assertThatIllegalArgumentException().isThrownBy(() -> manager.getCache("orders"))
					.withMessageContaining("'orders'")
					.withMessageContaining("tiered-cache.caches.orders");
			});
	}

	@Test
	void rejectsANegativeTtlNamingTheProperty() {
		assertRejected("tiered-cache.caches.users.ttl", "tiered-cache.caches.users.ttl=-1s");
	}

	@Test
	void rejectsJitterOutsideZeroToOne() {
		assertRejected("tiered-cache.defaults.jitter", "tiered-cache.defaults.jitter=1.5");
	}

	@Test
	void rejectsALocalTtlLongerThanTheRedisTtl() {
		assertRejected("tiered-cache.caches.users.local.ttl", "tiered-cache.caches.users.ttl=1m",
				"tiered-cache.caches.users.local.ttl=2m");
	}

	@Test
	void rejectsAnEmptyKeyPrefix() {
		assertRejected("tiered-cache.key-prefix", "tiered-cache.key-prefix=");
	}

	@Test
	void rejectsAKeyPrefixWithBraces() {
		assertRejected("tiered-cache.key-prefix", "tiered-cache.key-prefix={shop}:");
	}

	@Test
	void rejectsANonPositiveCommandTimeout() {
		assertRejected("tiered-cache.redis.command-timeout", "tiered-cache.redis.command-timeout=0s");
	}

	@Test
	void rejectsANegativeNullTtl() {
		assertRejected("tiered-cache.defaults.null-ttl", "tiered-cache.defaults.null-ttl=-5s");
	}

	@Test
	void rejectsANegativeEarlyRefreshBeta() {
		assertRejected("tiered-cache.caches.quotes.early-refresh.beta", "tiered-cache.caches.quotes.early-refresh.beta=-1");
	}

	@Test
	void rejectsWarmStartWithoutHotKeyTrackingNamingBoth() {
		assertRejected("tiered-cache.caches.quotes.hot-keys.enabled", "tiered-cache.caches.quotes.warm-start.enabled=true",
				"tiered-cache.caches.quotes.hot-keys.enabled=false");
		assertRejected("tiered-cache.defaults.warm-start.enabled", "tiered-cache.defaults.warm-start.enabled=true",
				"tiered-cache.defaults.hot-keys.enabled=false");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '=', value = { "tiered-cache.defaults.ttl=0s", "tiered-cache.defaults.local.ttl=-1s",
			"tiered-cache.defaults.local.maximum-size=-1", "tiered-cache.defaults.stale-while-revalidate=-1s",
			"tiered-cache.defaults.max-value-size=0B", "tiered-cache.defaults.stampede.lease=0s",
			"tiered-cache.defaults.stampede.wait-timeout=-1s", "tiered-cache.redis.circuit-failure-threshold=0",
			"tiered-cache.redis.circuit-open-duration=0s", "tiered-cache.versions.ttl=0s",
			"tiered-cache.versions.refresh-interval=-1s", "tiered-cache.refresh.threads=0",
			"tiered-cache.caches.users.jitter=-0.1", "tiered-cache.caches.users.warm-start.keys=0",
			"tiered-cache.defaults.warm-start.keys=1001", "tiered-cache.defaults.warm-start.timeout=0s",
			"tiered-cache.warm-start.record-interval=0s" })
	void rejectsEveryInvalidPropertyNamingIt(String property, String value) {
		assertRejected(property, property + "=" + value);
	}

	private void assertRejected(String property, String... properties) {
		this.runner.withPropertyValues(properties).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining(property);
		});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CachingConfiguration {

	}

	@Configuration(proxyBeanMethods = false)
	static class UserCacheManagerConfiguration {

		@Bean
		CacheManager userCacheManager() {
			return new ConcurrentMapCacheManager();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoUserCacheManagersConfiguration {

		@Bean
		@Primary
		CacheManager primaryCacheManager() {
			return new ConcurrentMapCacheManager();
		}

		@Bean
		CacheManager secondaryCacheManager() {
			return new ConcurrentMapCacheManager();
		}

	}

	/** Injects a cache manager by type, as application code does. */
	static class CacheManagerConsumer {

		final CacheManager manager;

		CacheManagerConsumer(CacheManager manager) {
			this.manager = manager;
		}

	}

	public static class AnnotatedService {

		final AtomicInteger loads = new AtomicInteger();

		@ReadThrough(cache = "things", key = "#id")
		public String find(String id) {
			return id + " #" + this.loads.incrementAndGet();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class AnnotatedServiceConfiguration {

		@Bean
		AnnotatedService annotatedService() {
			return new AnnotatedService();
		}

	}

	/** A Lettuce connection factory on a port nothing listens on, beside the one for the cache. */
	@Configuration(proxyBeanMethods = false)
	static class TwoConnectionFactoriesConfiguration {

		static LettuceConnectionFactory factory(int port) {
			return new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", port));
		}

		@Bean
		LettuceConnectionFactory otherRedis() {
			return factory(1);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PrimaryFactory {

		@Bean
		@Primary
		LettuceConnectionFactory cacheRedis() {
			return TwoConnectionFactoriesConfiguration.factory(TestRedis.SHARED_PORT);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SecondFactory {

		@Bean
		LettuceConnectionFactory cacheRedis() {
			return TwoConnectionFactoriesConfiguration.factory(TestRedis.SHARED_PORT);
		}

	}

	/**
	 * An application whose Redis connection factory is not Lettuce's (a Jedis one, say). A
	 * stand-in rather than Jedis itself: Jedis brings commons-pool2, whose mere presence turns
	 * on connection pooling in Spring Boot's Lettuce configuration for every other test.
	 */
	@Configuration(proxyBeanMethods = false)
	static class JedisStyleConfiguration {

		@Bean
		RedisConnectionFactory redisConnectionFactory() {
			return new JedisStyleConnectionFactory();
		}

	}

	static class JedisStyleConnectionFactory implements RedisConnectionFactory {

		@Override
		public boolean getConvertPipelineAndTxResults() {
			return true;
		}

		@Override
		public RedisConnection getConnection() {
			throw new UnsupportedOperationException("never connected in these tests");
		}

		@Override
		public RedisClusterConnection getClusterConnection() {
			throw new UnsupportedOperationException("never connected in these tests");
		}

		@Override
		public RedisSentinelConnection getSentinelConnection() {
			throw new UnsupportedOperationException("never connected in these tests");
		}

		@Override
		public DataAccessException translateExceptionIfPossible(RuntimeException ex) {
			return null;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomizerConfiguration {

		@Bean
		CacheManagerCustomizer<TieredCacheManager> warmUp() {
			return (manager) -> manager.getCache("warm");
		}

		@Bean
		CacheManagerCustomizer<ConcurrentMapCacheManager> customizerOfAnotherManager() {
			return (manager) -> manager.getCache("never");
		}

	}

}
