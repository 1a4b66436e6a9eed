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
		Object raw = (expression != null) ? expression.value(context) : defaultKey(context.arguments());
		if (raw == null) {
			throw new CacheExpressionException("Key " + ((expression != null) ? expression.description()
					: "of " + operations.description()) + " evaluated to null", null);
		}
		String key = CacheKeyEncoder.encodeKey(raw);
		for (CacheExpression group : operations.groups()) {
			String name = CacheKeyEncoder.encode(String.valueOf(group.value(context)));
			key = key + '|' + this.groups.current(name);
		}
		return key;
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
