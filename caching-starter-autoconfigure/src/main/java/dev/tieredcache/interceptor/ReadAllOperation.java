package dev.tieredcache.interceptor;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.util.StringUtils;

import dev.tieredcache.annotation.ReadThroughAll;
import dev.tieredcache.cache.CacheKeyEncoder;

/**
 * A {@code @ReadThroughAll}, parsed once: which parameter carries the keys and in what
 * type the method wants them back, and the per-element tag, veto and condition expressions.
 * A method it cannot serve (not returning a {@code Map}, no usable keys parameter) fails at
 * start-up, naming the method.
 */
final class ReadAllOperation {

	private static final String[] NO_TAGS = new String[0];

	private static final Pattern VALUE = Pattern.compile("#value\\b");

	private final String cache;

	private final int keysParameter;

	private final Class<?> keysType;

	private final List<CacheExpression> tags;

	private final List<CacheExpression> valueTags;

	private final @Nullable CacheExpression condition;

	private final @Nullable CacheExpression unless;

	private ReadAllOperation(String cache, int keysParameter, Class<?> keysType, List<CacheExpression> tags,
			List<CacheExpression> valueTags, @Nullable CacheExpression condition, @Nullable CacheExpression unless) {
		this.cache = cache;
		this.keysParameter = keysParameter;
		this.keysType = keysType;
		this.tags = tags;
		this.valueTags = valueTags;
		this.condition = condition;
		this.unless = unless;
	}

	static ReadAllOperation parse(ReadThroughAll annotation, Method method) {
		String description = "@ReadThroughAll on " + MethodDescriptions.describe(method);
		if (!StringUtils.hasText(annotation.cache())) {
			throw new IllegalStateException(description + " names no cache");
		}
		Class<?> returnType = method.getReturnType();
		if (!Map.class.isAssignableFrom(returnType) || !returnType.isAssignableFrom(LinkedHashMap.class)) {
			throw new IllegalStateException(description + " needs a method that returns Map, not "
					+ returnType.getSimpleName());
		}
		int parameter = keysParameter(annotation.keys(), method, description);
		List<CacheExpression> tags = new ArrayList<>();
		List<CacheExpression> valueTags = new ArrayList<>();
		for (String tag : annotation.tags()) {
			CacheExpression expression = CacheExpression.parse(tag, "tag of @ReadThroughAll", method);
			(VALUE.matcher(tag).find() ? valueTags : tags).add(expression);
		}
		return new ReadAllOperation(annotation.cache(), parameter, method.getParameterTypes()[parameter],
				List.copyOf(tags), List.copyOf(valueTags),
				optional(annotation.condition(), "condition of @ReadThroughAll", method),
				optional(annotation.unless(), "unless of @ReadThroughAll", method));
	}

	private static int keysParameter(String keys, Method method, String description) {
		Class<?>[] types = method.getParameterTypes();
		if (StringUtils.hasText(keys)) {
			CacheExpression expression = CacheExpression.parse(keys, "keys of @ReadThroughAll", method);
			int index = expression.argumentIndex();
			if (index < 0 || !isKeysType(types[index])) {
				throw new IllegalStateException("keys '" + keys + "' of " + description
						+ " must name a List, Set, Collection or array parameter, such as #ids or #p0");
			}
			return index;
		}
		int found = -1;
		for (int i = 0; i < types.length; i++) {
			if (isKeysType(types[i])) {
				if (found >= 0) {
					throw new IllegalStateException(description
							+ " has several List, Set, Collection or array parameters: name the keys with keys = \"#name\"");
				}
				found = i;
			}
		}
		if (found < 0) {
			throw new IllegalStateException(description
					+ " needs a List, Set, Collection or array parameter holding the keys");
		}
		return found;
	}

	private static boolean isKeysType(Class<?> type) {
		return type.isArray() || type == List.class || type == Set.class || type == Collection.class;
	}

	private static @Nullable CacheExpression optional(String source, String role, Method method) {
		return StringUtils.hasText(source) ? CacheExpression.parse(source, role, method) : null;
	}

	String cache() {
		return this.cache;
	}

	@Nullable CacheExpression condition() {
		return this.condition;
	}

	/**
	 * Returns the element keys of a call.
	 * @throws CacheExpressionException if the keys or one of them is null
	 */
	List<Object> keys(InvocationContext context, String description) {
		Object argument = context.arguments()[this.keysParameter];
		if (argument == null) {
			throw new CacheExpressionException("Keys of " + description + " are null", null);
		}
		List<Object> keys = new ArrayList<>();
		if (argument.getClass().isArray()) {
			for (int i = 0, n = Array.getLength(argument); i < n; i++) {
				keys.add(Array.get(argument, i));
			}
		}
		else {
			keys.addAll((Collection<?>) argument);
		}
		if (keys.contains(null)) {
			throw new CacheExpressionException("A key of " + description + " is null", null);
		}
		return keys;
	}

	/** Returns the call's arguments with the keys parameter holding only the given keys. */
	Object[] argumentsFor(Object[] arguments, List<Object> keys) {
		Object[] copy = arguments.clone();
		Object converted;
		if (this.keysType.isArray()) {
			converted = Array.newInstance(this.keysType.getComponentType(), keys.size());
			for (int i = 0; i < keys.size(); i++) {
				Array.set(converted, i, keys.get(i));
			}
		}
		else if (this.keysType == Set.class) {
			converted = new LinkedHashSet<>(keys);
		}
		else {
			converted = new ArrayList<>(keys);
		}
		copy[this.keysParameter] = converted;
		return copy;
	}

	/** Returns the encoded tags and groups of an element known before its load. */
	String[] tags(InvocationContext context, List<CacheExpression> groups, Object key) {
		context.setVariable("key", key);
		return CacheKeys.tags(this.tags, groups, context);
	}

	/** Returns the encoded tags computed from an element's value. */
	String[] valueTags(InvocationContext context, Object key, @Nullable Object value) {
		if (this.valueTags.isEmpty()) {
			return NO_TAGS;
		}
		context.setVariable("key", key);
		context.setVariable("value", value);
		String[] encoded = new String[this.valueTags.size()];
		for (int i = 0; i < encoded.length; i++) {
			encoded[i] = CacheKeyEncoder.encode(String.valueOf(this.valueTags.get(i).value(context)));
		}
		return encoded;
	}

	/** Whether an element's loaded value is cached: {@code unless} is absent or false. */
	boolean storable(InvocationContext context, Object key, @Nullable Object value) {
		if (this.unless == null) {
			return true;
		}
		context.setVariable("key", key);
		context.setVariable("value", value);
		return !this.unless.isTrue(context);
	}

}
