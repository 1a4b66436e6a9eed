package dev.tieredcache.autoconfigure;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.util.ClassUtils;

import dev.tieredcache.interceptor.CacheAnnotatedMethods;

/**
 * Runs once every singleton exists, in an application where no tiered cache manager was
 * created, so that the starter's annotations never silently run their methods uncached:
 *
 * <ul>
 * <li>switched off on purpose ({@code tiered-cache.enabled=false} or
 * {@code spring.cache.type=none}): says so once at INFO and lets the methods run
 * uncached;</li>
 * <li>otherwise, if a bean has an annotated method, fails start-up naming the method and
 * what is missing (Lettuce, a connection factory, a primary one among several);</li>
 * <li>otherwise says at WARN why there is no tiered cache.</li>
 * </ul>
 */
final class AbsentTieredCacheCheck implements SmartInitializingSingleton {

	private static final Log logger = LogFactory.getLog(AbsentTieredCacheCheck.class);

	private static final String LETTUCE_FACTORY = "org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory";

	private final ConfigurableListableBeanFactory beanFactory;

	private final Environment environment;

	AbsentTieredCacheCheck(ConfigurableListableBeanFactory beanFactory, Environment environment) {
		this.beanFactory = beanFactory;
		this.environment = environment;
	}

	@Override
	public void afterSingletonsInstantiated() {
		List<String> methods = annotatedMethods();
		String switchedOffBy = OnTieredCacheEnabledCondition.switchedOffBy(this.environment);
		if (switchedOffBy != null) {
			logger.info("The tiered cache is switched off by " + switchedOffBy
					+ (methods.isEmpty() ? "" : ": " + summary(methods) + " run uncached"));
			return;
		}
		String missing = whatIsMissing();
		if (methods.isEmpty()) {
			logger.warn("No tiered cache: " + missing);
			return;
		}
		throw new IllegalStateException(summary(methods) + " cannot be cached: " + missing
				+ ". Fix that, set tiered-cache.redis.enabled=false to cache in this JVM only (L1-only mode), "
				+ "or set tiered-cache.enabled=false to run such methods uncached.");
	}

	private static String summary(List<String> methods) {
		int others = methods.size() - 1;
		return methods.get(0) + ((others > 0) ? " (and " + others + " other method" + ((others > 1) ? "s" : "") + ")"
				: "");
	}

	/** Describes every annotated method of every bean, sorted so the message is stable. */
	private List<String> annotatedMethods() {
		Set<Class<?>> seen = new HashSet<>();
		Set<String> methods = new TreeSet<>();
		for (String name : this.beanFactory.getBeanDefinitionNames()) {
			Class<?> type = userClass(name);
			if (type != null && seen.add(type)) {
				methods.addAll(CacheAnnotatedMethods.describe(type));
			}
		}
		return new ArrayList<>(methods);
	}

	private @Nullable Class<?> userClass(String name) {
		if (this.beanFactory.containsSingleton(name)) {
			Object bean = this.beanFactory.getSingleton(name);
			if (bean != null) {
				return AopProxyUtils.ultimateTargetClass(bean);
			}
		}
		Class<?> type = this.beanFactory.getType(name, false);
		return (type != null) ? ClassUtils.getUserClass(type) : null;
	}

	private String whatIsMissing() {
		ClassLoader classLoader = this.beanFactory.getBeanClassLoader();
		if (!ClassUtils.isPresent("io.lettuce.core.RedisClient", classLoader)) {
			return "Lettuce (io.lettuce:lettuce-core) is not on the classpath: the tiered cache reaches Redis through "
					+ "the application's LettuceConnectionFactory";
		}
		if (!ClassUtils.isPresent("com.github.benmanes.caffeine.cache.Caffeine", classLoader)) {
			return "Caffeine (com.github.ben-manes.caffeine:caffeine) is not on the classpath";
		}
		String[] factories = this.beanFactory.getBeanNamesForType(RedisConnectionFactory.class, true, false);
		if (factories.length == 0) {
			return "the application has no RedisConnectionFactory: set spring.data.redis.* so that Spring Boot's "
					+ "Redis auto-configuration creates one, or declare a LettuceConnectionFactory bean";
		}
		List<String> lettuce = new ArrayList<>();
		List<String> others = new ArrayList<>();
		for (String name : factories) {
			Class<?> type = this.beanFactory.getType(name, false);
			if (type != null && isLettuce(type, classLoader)) {
				lettuce.add(name);
			}
			else {
				others.add("'" + name + "' (" + ((type != null) ? type.getSimpleName() : "unknown type") + ")");
			}
		}
		if (lettuce.isEmpty()) {
			return "its RedisConnectionFactory " + String.join(", ", others) + " is not a LettuceConnectionFactory: "
					+ "set spring.data.redis.client-type=lettuce or declare a LettuceConnectionFactory bean";
		}
		if (lettuce.size() > 1 && lettuce.stream().noneMatch(this::isPrimary)) {
			return "there are " + lettuce.size() + " LettuceConnectionFactory beans " + lettuce
					+ " and none is primary: mark the one the tiered cache should use @Primary";
		}
		return "no bean named '" + TieredCacheAutoConfiguration.CACHE_MANAGER_BEAN_NAME + "' exists (is "
				+ TieredCacheAutoConfiguration.class.getSimpleName() + " excluded?)";
	}

	private static boolean isLettuce(Class<?> type, @Nullable ClassLoader classLoader) {
		try {
			return ClassUtils.forName(LETTUCE_FACTORY, classLoader).isAssignableFrom(type);
		}
		catch (ClassNotFoundException | LinkageError ex) {
			return false;
		}
	}

	private boolean isPrimary(String name) {
		try {
			return this.beanFactory.getBeanDefinition(name).isPrimary();
		}
		catch (NoSuchBeanDefinitionException ex) {
			return false;
		}
	}

}
