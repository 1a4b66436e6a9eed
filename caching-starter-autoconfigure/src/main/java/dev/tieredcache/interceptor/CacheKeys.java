package dev.tieredcache.interceptor;

import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.tieredcache.cache.CacheKeyEncoder;

/**
 * Turns a call into the encoded key and tags of its cache entry: the key expression or
 * Spring-style default key, and the tag expressions together with the versioned groups the
 * method belongs to (an entry records the version of each, and is a miss once one moves
 * on), all encoded for both tiers.
 */
final class CacheKeys {

	private static final String[] NO_TAGS = new String[0];

	CacheKeys() {
	}

	/**
	 * Computes the encoded key of a call: the key expression or the default key.
	 */
	String key(@Nullable CacheExpression expression, CacheOperations operations, InvocationContext context) {
		Object raw = (expression != null) ? expression.value(context) : defaultKey(context.arguments());
		if (raw == null) {
			throw new CacheExpressionException("Key " + ((expression != null) ? expression.description()
					: "of " + operations.description()) + " evaluated to null", null);
		}
		return CacheKeyEncoder.encodeKey(raw);
	}

	private static Object defaultKey(Object[] arguments) {
		if (arguments.length == 1 && arguments[0] != null) {
			return arguments[0];
		}
		return CacheKeyEncoder.encodeComposite(arguments);
	}

	/**
	 * Computes the encoded tags of a call's entry: its tag expressions, then its versioned
	 * groups.
	 */
	static String[] tags(List<CacheExpression> expressions, List<CacheExpression> groups,
			InvocationContext context) {
		int count = expressions.size() + groups.size();
		if (count == 0) {
			return NO_TAGS;
		}
		String[] tags = new String[count];
		for (int i = 0; i < expressions.size(); i++) {
			tags[i] = CacheKeyEncoder.encode(String.valueOf(expressions.get(i).value(context)));
		}
		for (int i = 0; i < groups.size(); i++) {
			tags[expressions.size() + i] = CacheKeyEncoder.encodeGroup(String.valueOf(groups.get(i).value(context)));
		}
		return tags;
	}

}
