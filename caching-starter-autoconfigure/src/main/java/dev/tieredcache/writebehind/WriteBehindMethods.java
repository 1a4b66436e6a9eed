package dev.tieredcache.writebehind;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

import dev.tieredcache.annotation.WriteBehind;
import dev.tieredcache.cache.TieredCacheManager;

/**
 * Finds, once every singleton exists, the {@link WriteBehind} methods of the application's
 * beans, checks them, and keeps the flush target of each write-behind cache, so that this
 * instance can flush any cache's pending writes, including those another instance made.
 * A method that cannot be a write-behind method fails start-up with a message naming it:
 * one that returns a value, takes other than one or two parameters, has no key, names no
 * cache or one the manager does not have, or a {@code flushAll} that is not a method of
 * the bean taking a {@code Map} or a {@code Collection}; so does a second method for one
 * cache.
 */
public class WriteBehindMethods implements SmartInitializingSingleton, BeanFactoryAware {

	private final TieredCacheManager manager;

	private final Map<String, WriteBehindMethod> byCache = new ConcurrentHashMap<>();

	private @Nullable ListableBeanFactory beanFactory;

	public WriteBehindMethods(TieredCacheManager manager) {
		this.manager = manager;
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = (beanFactory instanceof ListableBeanFactory listable) ? listable : null;
	}

	@Override
	public void afterSingletonsInstantiated() {
		if (this.beanFactory == null) {
			return;
		}
		for (String name : this.beanFactory.getBeanNamesForType(Object.class, false, false)) {
			Class<?> type = this.beanFactory.getType(name, false);
			if (type == null || type.getName().startsWith("org.springframework.")) {
				continue;
			}
			Map<Method, WriteBehind> annotated = MethodIntrospector.selectMethods(ClassUtils.getUserClass(type),
					(MethodIntrospector.MetadataLookup<WriteBehind>) (method) -> AnnotatedElementUtils
						.findMergedAnnotation(method, WriteBehind.class));
			if (annotated.isEmpty()) {
				continue;
			}
			Object bean = this.beanFactory.getBean(name);
			annotated.forEach((method, annotation) -> register(bean, ClassUtils.getUserClass(type), method, annotation));
		}
	}

	private void register(Object bean, Class<?> type, Method method, WriteBehind annotation) {
		String description = describe(method);
		check(method, annotation);
		try {
			this.manager.getCache(annotation.cache());
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException("@WriteBehind on " + description + " uses cache '" + annotation.cache()
					+ "': " + ex.getMessage(), ex);
		}
		Method flushAll = StringUtils.hasText(annotation.flushAll()) ? flushAll(type, method, annotation) : null;
		WriteBehindMethod target = WriteBehindMethod.of(annotation.cache(), description, bean, method, flushAll);
		WriteBehindMethod other = this.byCache.putIfAbsent(annotation.cache(), target);
		if (other != null && !other.method().equals(target.method())) {
			throw new IllegalStateException("@WriteBehind on " + description + " uses cache '" + annotation.cache()
					+ "', as " + other.description() + " does: a write-behind cache has one flush method");
		}
	}

	/**
	 * Checks what can be checked from the method alone; the advice calls it when it
	 * proxies the bean, so these errors come first.
	 * @param method the annotated method
	 * @param annotation its annotation
	 * @throws IllegalStateException naming the method if it cannot be a write-behind method
	 */
	public static void check(Method method, WriteBehind annotation) {
		String description = describe(method);
		if (!StringUtils.hasText(annotation.cache())) {
			throw new IllegalStateException("@WriteBehind on " + description + " names no cache");
		}
		if (method.getReturnType() != void.class) {
			throw new IllegalStateException("@WriteBehind on " + description + " must return void: the method "
					+ "runs later, when the write is flushed, and its result would be lost");
		}
		int count = method.getParameterCount();
		if (count != 1 && count != 2) {
			throw new IllegalStateException("@WriteBehind on " + description + " must take the value, or the key "
					+ "and the value: the flusher calls it with those; it takes " + count + " parameters");
		}
		if (count == 1 && !StringUtils.hasText(annotation.key())) {
			throw new IllegalStateException("@WriteBehind on " + description + " needs a key expression (a method "
					+ "taking only the value cannot be keyed by its arguments)");
		}
		if (StringUtils.hasText(annotation.flushAll())) {
			flushAll(ClassUtils.getUserClass(method.getDeclaringClass()), method, annotation);
		}
	}

	private static Method flushAll(Class<?> type, Method method, WriteBehind annotation) {
		Method found = null;
		String reason = "no such method";
		for (Method candidate : org.springframework.util.ReflectionUtils.getAllDeclaredMethods(type)) {
			if (candidate.getName().equals(annotation.flushAll()) && !Modifier.isStatic(candidate.getModifiers())) {
				String unfit = WriteBehindMethod.unfit(candidate);
				if (unfit == null) {
					found = candidate;
					break;
				}
				reason = unfit;
			}
		}
		if (found == null) {
			throw new IllegalStateException("@WriteBehind on " + describe(method) + " names flushAll '"
					+ annotation.flushAll() + "', which must be a method of " + type.getSimpleName()
					+ " taking a Map<K, V> or a Collection<V> (" + reason + ")");
		}
		return found;
	}

	/**
	 * Returns the flush target of a cache.
	 * @param cache the cache name
	 * @return the target, or null if no method writes behind to it
	 */
	public @Nullable WriteBehindMethod get(String cache) {
		return this.byCache.get(cache);
	}

	/** Returns the flush targets of every write-behind cache. */
	public Collection<WriteBehindMethod> all() {
		return this.byCache.values();
	}

	static String describe(Method method) {
		return ClassUtils.getUserClass(method.getDeclaringClass()).getSimpleName() + "." + method.getName() + "("
				+ java.util.Arrays.stream(method.getParameterTypes())
					.map(Class::getSimpleName)
					.collect(java.util.stream.Collectors.joining(", "))
				+ ")";
	}

}
