package dev.tieredcache.interceptor;

import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.MethodClassKey;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringUtils;

import dev.tieredcache.annotation.InvalidateTags;
import dev.tieredcache.annotation.ReadThrough;
import dev.tieredcache.annotation.ReadThroughAll;
import dev.tieredcache.annotation.VersionedGroup;
import dev.tieredcache.annotation.WriteThrough;
import dev.tieredcache.cache.CacheKeyEncoder;
import dev.tieredcache.interceptor.CacheOperations.InvalidateOperation;
import dev.tieredcache.interceptor.CacheOperations.ReadOperation;
import dev.tieredcache.interceptor.CacheOperations.WriteOperation;

/**
 * Finds the cache annotations of a method (on the method, its interfaces or, for
 * {@code @VersionedGroup}, its class) and parses their expressions, once per method and
 * target class. A malformed expression fails here, that is when the bean is proxied at
 * start-up, with a message that names the method and the expression.
 */
public final class CacheOperationSource {

	private static final CacheOperations NONE = CacheOperations.of(null, "", ReturnKind.PLAIN, null, null, List.of(),
			List.of(), List.of(), List.of());

	private final Map<MethodClassKey, CacheOperations> cache = new ConcurrentHashMap<>(256);

	/** The last target class seen per method: the usual single-class case allocates no key. */
	private final Map<Method, Resolved> lastByMethod = new ConcurrentHashMap<>(256);

	/**
	 * Calls the action with every cache name an annotated method uses, and the method's
	 * description, for every method seen so far.
	 * @param action receives the cache name and the method
	 */
	void forEachCacheName(java.util.function.BiConsumer<String, String> action) {
		for (CacheOperations operations : this.cache.values()) {
			if (operations.read() != null) {
				action.accept(operations.read().cache(), operations.description());
			}
			if (operations.readAll() != null) {
				action.accept(operations.readAll().cache(), operations.description());
			}
			for (CacheOperations.WriteOperation write : operations.writes()) {
				action.accept(write.cache(), operations.description());
			}
		}
	}

	/**
	 * Parses the cache annotations of every bean the factory defines, including beans not
	 * created yet (lazy ones, other scopes), without creating any: what {@link #valueTypes()}
	 * then returns covers them too, and their errors surface now, at start-up.
	 * @param beanFactory the bean factory
	 */
	public void parseBeanTypes(ConfigurableListableBeanFactory beanFactory) {
		for (String name : beanFactory.getBeanDefinitionNames()) {
			Class<?> type = beanFactory.getType(name, false);
			if (type == null || type.getName().startsWith("org.springframework.")) {
				continue;
			}
			Class<?> user = ClassUtils.getUserClass(type);
			for (Method method : ReflectionUtils.getUniqueDeclaredMethods(user, ReflectionUtils.USER_DECLARED_METHODS)) {
				if (!java.lang.reflect.Modifier.isStatic(method.getModifiers())) {
					get(method, user);
				}
			}
		}
	}

	/**
	 * Returns the value types each cache's {@code @ReadThrough} and {@code @ReadThroughAll}
	 * methods seen so far return: the declared return type without its wrapper
	 * ({@code Optional}, {@code CompletableFuture}, {@code Mono}; a {@code Flux}'s list of
	 * elements; a {@code Map}'s values).
	 * @return the types by cache name
	 */
	public Map<String, Set<Type>> valueTypes() {
		Map<String, Set<Type>> types = new HashMap<>();
		for (CacheOperations operations : this.cache.values()) {
			if (operations == NONE) {
				continue;
			}
			Type returned = operations.method().getGenericReturnType();
			if (operations.read() != null) {
				Type value = switch (operations.returnKind()) {
					case PLAIN -> returned;
					case OPTIONAL, FUTURE, MONO -> argument(returned, 0);
					case FLUX -> ResolvableType.forClassWithGenerics(List.class, ResolvableType.forType(argument(returned, 0)))
						.getType();
				};
				types.computeIfAbsent(operations.read().cache(), (c) -> new HashSet<>()).add(value);
			}
			if (operations.readAll() != null) {
				types.computeIfAbsent(operations.readAll().cache(), (c) -> new HashSet<>()).add(argument(returned, 1));
			}
		}
		return types;
	}

	private static Type argument(Type type, int index) {
		return (type instanceof ParameterizedType parameterized
				&& parameterized.getActualTypeArguments().length > index)
						? parameterized.getActualTypeArguments()[index] : Object.class;
	}

	/**
	 * Calls the action with the description and the parameter types of every method seen
	 * so far whose {@code @ReadThrough} or {@code @WriteThrough} uses the default key (its
	 * arguments).
	 * @param action receives the method's description and its parameter types
	 */
	void forEachDefaultKey(java.util.function.BiConsumer<String, Class<?>[]> action) {
		for (CacheOperations operations : this.cache.values()) {
			if (operations != NONE && usesDefaultKey(operations)) {
				action.accept(operations.description(), operations.method().getParameterTypes());
			}
		}
	}

	private static boolean usesDefaultKey(CacheOperations operations) {
		return (operations.read() != null && operations.read().key() == null)
				|| operations.writes().stream().anyMatch((write) -> write.key() == null);
	}

	/**
	 * Returns the parsed operations of a method.
	 * @param method the invoked method
	 * @param targetClass the target class
	 * @return the operations, or null if the method has none
	 */
	@Nullable CacheOperations get(Method method, @Nullable Class<?> targetClass) {
		Resolved last = this.lastByMethod.get(method);
		if (last != null && last.targetClass() == targetClass) {
			if (last.method() != method) {
				// The map is keyed by an equal copy (from a start-up check): key it by the
				// proxy's own, passed on every call, so that lookups match by identity rather
				// than by Method.equals.
				this.lastByMethod.remove(method);
				this.lastByMethod.put(method, new Resolved(method, targetClass, last.operations()));
			}
			return last.operations();
		}
		CacheOperations resolved = resolve(method, targetClass);
		this.lastByMethod.put(method, new Resolved(method, targetClass, resolved));
		return resolved;
	}

	private @Nullable CacheOperations resolve(Method method, @Nullable Class<?> targetClass) {
		MethodClassKey key = new MethodClassKey(method, targetClass);
		CacheOperations operations = this.cache.get(key);
		if (operations == null) {
			operations = parse(method, targetClass);
			this.cache.put(key, operations);
		}
		return (operations != NONE) ? operations : null;
	}

	private record Resolved(Method method, @Nullable Class<?> targetClass, @Nullable CacheOperations operations) {
	}

	private CacheOperations parse(Method method, @Nullable Class<?> targetClass) {
		Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
		ReadThrough read = AnnotatedElementUtils.findMergedAnnotation(specific, ReadThrough.class);
		ReadThroughAll readAll = AnnotatedElementUtils.findMergedAnnotation(specific, ReadThroughAll.class);
		Set<WriteThrough> writes = AnnotatedElementUtils.findMergedRepeatableAnnotations(specific, WriteThrough.class);
		Set<InvalidateTags> invalidations = AnnotatedElementUtils.findMergedRepeatableAnnotations(specific,
				InvalidateTags.class);
		List<VersionedGroup> groups = new ArrayList<>(
				AnnotatedElementUtils.findMergedRepeatableAnnotations(specific, VersionedGroup.class));
		if (read == null && readAll == null && writes.isEmpty() && invalidations.isEmpty() && groups.isEmpty()) {
			return NONE;
		}
		if (read != null && readAll != null) {
			throw new IllegalStateException(MethodDescriptions.describe(specific)
					+ " carries both @ReadThrough and @ReadThroughAll: choose one");
		}
		if (targetClass != null) {
			groups.addAll(AnnotatedElementUtils.findMergedRepeatableAnnotations(targetClass, VersionedGroup.class));
		}
		List<CacheExpression> readGroups = new ArrayList<>();
		List<CacheExpression> bumps = new ArrayList<>();
		for (VersionedGroup group : groups) {
			CacheExpression expression = CacheExpression.parse(group.value(), "group of @VersionedGroup", specific);
			(group.bump() ? bumps : readGroups).add(expression);
		}
		if (read == null && readAll == null && writes.isEmpty()) {
			readGroups.clear();
		}
		if (read == null && readAll == null && writes.isEmpty() && invalidations.isEmpty() && bumps.isEmpty()) {
			return NONE;
		}
		if (read != null && specific.getReturnType() == void.class) {
			throw new IllegalStateException("@ReadThrough on " + MethodDescriptions.describe(specific)
					+ " needs a method that returns a value");
		}
		if ((read != null && !StringUtils.hasText(read.key()))
				|| writes.stream().anyMatch((write) -> !StringUtils.hasText(write.key()))) {
			requireEncodableArguments(specific);
		}
		String annotation = (read != null) ? "@ReadThrough" : (readAll != null) ? "@ReadThroughAll"
				: !writes.isEmpty() ? "@WriteThrough"
				: !invalidations.isEmpty() ? "@InvalidateTags" : "@VersionedGroup";
		return CacheOperations.of(specific, MethodDescriptions.describe(specific),
				ReturnKind.of(specific, annotation), (read != null) ? readOperation(read, specific) : null,
				(readAll != null) ? ReadAllOperation.parse(readAll, specific) : null,
				writes.stream().map((write) -> writeOperation(write, specific)).toList(),
				invalidations.stream().map((invalidate) -> invalidateOperation(invalidate, specific)).toList(),
				List.copyOf(readGroups), List.copyOf(bumps));
	}

	/**
	 * An array argument can never be a key (its {@code toString()} is its identity), whatever
	 * converters the application has: a method whose default key would hold one fails here,
	 * when its bean is proxied. Other types may depend on the application's converters and
	 * are checked once every singleton exists ({@link DefaultKeyValidator}).
	 */
	private static void requireEncodableArguments(Method method) {
		for (Class<?> type : method.getParameterTypes()) {
			if (type.isArray()) {
				throw new IllegalStateException(MethodDescriptions.describe(method)
						+ " caches under its arguments, which cannot be a cache key: "
						+ CacheKeyEncoder.withoutConverters().neverEncodable(type));
			}
		}
	}

	private static ReadOperation readOperation(ReadThrough read, Method method) {
		requireCache(read.cache(), "@ReadThrough", method);
		return new ReadOperation(read.cache(), optional(read.key(), "key of @ReadThrough", method),
				all(read.tags(), "tag of @ReadThrough", method),
				optional(read.condition(), "condition of @ReadThrough", method),
				optional(read.unless(), "unless of @ReadThrough", method));
	}

	private static WriteOperation writeOperation(WriteThrough write, Method method) {
		requireCache(write.cache(), "@WriteThrough", method);
		return new WriteOperation(write.cache(), optional(write.key(), "key of @WriteThrough", method),
				optional(write.value(), "value of @WriteThrough", method),
				all(write.tags(), "tag of @WriteThrough", method),
				optional(write.condition(), "condition of @WriteThrough", method),
				optional(write.unless(), "unless of @WriteThrough", method), write.mode());
	}

	private static InvalidateOperation invalidateOperation(InvalidateTags invalidate, Method method) {
		if (invalidate.value().length == 0) {
			throw new IllegalStateException("@InvalidateTags on " + MethodDescriptions.describe(method)
					+ " names no tag");
		}
		return new InvalidateOperation(all(invalidate.value(), "tag of @InvalidateTags", method),
				optional(invalidate.condition(), "condition of @InvalidateTags", method),
				invalidate.beforeInvocation());
	}

	private static void requireCache(String cache, String annotation, Method method) {
		if (!StringUtils.hasText(cache)) {
			throw new IllegalStateException(annotation + " on " + MethodDescriptions.describe(method)
					+ " names no cache");
		}
	}

	private static @Nullable CacheExpression optional(String source, String role, Method method) {
		return StringUtils.hasText(source) ? CacheExpression.parse(source, role, method) : null;
	}

	private static List<CacheExpression> all(String[] sources, String role, Method method) {
		return java.util.Arrays.stream(sources).map((source) -> CacheExpression.parse(source, role, method)).toList();
	}


}
