package dev.tieredcache.interceptor;

import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.tieredcache.cache.CacheKeyEncoder;
import dev.tieredcache.redis.VersionTracker;

/**
 * Turns a call into the encoded key and tags of its cache entry: the key expression or
 * Spring-style default key, one {@code |version} per versioned group the method belongs
 * to, and the tag expressions, all encoded for both tiers.
 */
final class CacheKeys {

	private static final String[] NO_TAGS = new String[0];

	private final VersionTracker groups;

	CacheKeys(VersionTracker groups) {
		this.groups = groups;
	}

	/**
	 * Computes the encoded key of a call: the key expression or the default key, then one
	 * {@code |version} per versioned group.
	 */
	String key(@Nullable CacheExpression expression, CacheOperations operations, InvocationContext context) {
		String key = unversioned(expression, operations, context);
		for (CacheExpression group : operations.groups()) {
			key = versioned(key, groupName(group, context));
		}
		return key;
	}

	/**
	 * Computes the encoded key of a call without its group versions, which
	 * {@link #versioned(String, String[])} adds: evaluating expressions never touches
	 * Redis, reading a version for the first time does.
	 */
	String unversioned(@Nullable CacheExpression expression, CacheOperations operations, InvocationContext context) {
		Object raw = (expression != null) ? expression.value(context) : defaultKey(context.arguments());
		if (raw == null) {
			throw new CacheExpressionException("Key " + ((expression != null) ? expression.description()
					: "of " + operations.description()) + " evaluated to null", null);
		}
		return CacheKeyEncoder.encodeKey(raw);
	}

	/** Returns the encoded names of the versioned groups a call's key belongs to. */
	static String[] groupNames(CacheOperations operations, InvocationContext context) {
		List<CacheExpression> groups = operations.groups();
		if (groups.isEmpty()) {
			return NO_TAGS;
		}
		String[] names = new String[groups.size()];
		for (int i = 0; i < names.length; i++) {
			names[i] = groupName(groups.get(i), context);
		}
		return names;
	}

	/** Adds the current version of each group to an unversioned key; may read Redis. */
	String versioned(String unversioned, String[] groupNames) {
		String key = unversioned;
		for (String group : groupNames) {
			key = versioned(key, group);
		}
		return key;
	}

	private String versioned(String key, String groupName) {
		return key + '|' + this.groups.current(groupName);
	}

	private static String groupName(CacheExpression group, InvocationContext context) {
		return CacheKeyEncoder.encode(String.valueOf(group.value(context)));
	}

	private static Object defaultKey(Object[] arguments) {
		if (arguments.length == 1 && arguments[0] != null) {
			return arguments[0];
		}
		return CacheKeyEncoder.encodeComposite(arguments);
	}

	static String[] tags(List<CacheExpression> expressions, InvocationContext context) {
		if (expressions.isEmpty()) {
			return NO_TAGS;
		}
		String[] tags = new String[expressions.size()];
		for (int i = 0; i < tags.length; i++) {
			tags[i] = CacheKeyEncoder.encode(String.valueOf(expressions.get(i).value(context)));
		}
		return tags;
	}

}
