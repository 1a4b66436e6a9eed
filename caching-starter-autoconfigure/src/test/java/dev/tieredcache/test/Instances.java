package dev.tieredcache.test;

import java.time.Duration;

import io.lettuce.core.resource.Delay;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.autoconfigure.TieredCacheAutoConfiguration;

/**
 * Application contexts that stand for instances of an application using the starter: each
 * one a full Spring context with Boot's Redis and AOP auto-configuration and ours, all
 * sharing one Redis and one key prefix, as several instances of a service do.
 */
public final class Instances {

	private Instances() {
	}

	/**
	 * A runner for instances on the given Redis port and key prefix.
	 * @param port the Redis port
	 * @param prefix the key prefix
	 * @return the runner
	 */
	public static ApplicationContextRunner runner(int port, String prefix) {
		return runner(prefix, "spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + port);
	}

	/**
	 * A runner for instances on the Redis that the given {@code spring.data.redis.*}
	 * properties describe (a cluster, sentinels), with the given key prefix.
	 * @param prefix the key prefix
	 * @param redisProperties Spring Boot's Redis properties, as {@code name=value}
	 * @return the runner
	 */
	public static ApplicationContextRunner runner(String prefix, String... redisProperties) {
		return new ApplicationContextRunner()
			.withBean(ClientResourcesBuilderCustomizer.class, Instances::quickReconnect)
			.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, AopAutoConfiguration.class,
					TieredCacheAutoConfiguration.class))
			.withPropertyValues(redisProperties)
			.withPropertyValues("spring.data.redis.timeout=2s", "tiered-cache.key-prefix=" + prefix,
					"tiered-cache.serialization.allowed-packages=dev.tieredcache");
	}

	/**
	 * Lettuce backs off exponentially up to 30 s between reconnection attempts; tests that
	 * kill Redis want to see recovery in seconds, so attempts here are 100 ms apart. (An
	 * application tunes this the same way, with its own customizer.)
	 */
	private static ClientResourcesBuilderCustomizer quickReconnect() {
		return (builder) -> builder.reconnectDelay(Delay.constant(Duration.ofMillis(100)));
	}

}
