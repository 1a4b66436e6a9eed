package dev.tieredcache.interceptor;

import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.tieredcache.cache.CacheKeyEncoder;
import dev.tieredcache.cache.InvalidCacheKeyException;

/**
 * Turns a call into the encoded key and tags of its cache entry: the key expression or
 * Spring-style default key, and the tag expressions together with the versioned groups the
 * method belongs to (an entry records the version of each, and is a miss once one moves
 * on), all encoded for both tiers.
 */
final class CacheKeys {

	private static final String[] NO_TAGS = new String[0];

	private final CacheKeyEncoder encoder;

	CacheKeys(CacheKeyEncoder encoder) {
		this.encoder = encoder;
	}

	/**
	 * Computes the encoded key of a call: the key expression or the default key (the single
	 * argument, or all arguments as one composite key).
	 * @throws CacheExpressionException if the key is null or has no string form that can be
	 * trusted, naming the method, the key's class and the fix
	 */
	String key(@Nullable CacheExpression expression, CacheOperations operations, InvocationContext context) {
		try {
			if (expression == null) {
				Object[] arguments = context.arguments();
				return (arguments.length == 1 && arguments[0] != null) ? this.encoder.key(arguments[0])
						: this.encoder.compositeKey(arguments);
			}
			Object raw = expression.value(context);
			if (raw == null) {
				throw new CacheExpressionException("Key " + expression.description() + " evaluated to null", null);
			}
			return this.encoder.key(raw);
		}
		catch (InvalidCacheKeyException ex) {
			throw new CacheExpressionException("Key " + ((expression != null) ? expression.description()
					: "of " + operations.description()) + ": " + ex.getMessage(), ex);
		}
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
