package dev.tieredcache.interceptor;

import java.lang.reflect.Method;
import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.tieredcache.annotation.WriteMode;

/**
 * Everything the annotations of one method ask for, parsed once.
 *
 * @param method the annotated method
 * @param description the method's short name, for messages
 * @param returnKind how the method returns its value
 * @param read the {@code @ReadThrough}, or null
 * @param readAll the {@code @ReadThroughAll}, or null
 * @param writes the {@code @WriteThrough}s
 * @param invalidations the {@code @InvalidateTags}
 * @param groups the groups that {@code @ReadThrough} and {@code @WriteThrough} keys belong to
 * @param bumps the groups the method bumps
 * @param writeConditions the conditions of the writes, in order (null for none)
 * @param invalidateConditions the conditions of the invalidations, in order (null for none)
 * @param hasAfterReturning whether anything runs after the method returns
 * @param hasBeforeInvocation whether an invalidation runs before the method
 */
record CacheOperations(Method method, String description, ReturnKind returnKind, @Nullable ReadOperation read,
		@Nullable ReadAllOperation readAll, List<WriteOperation> writes, List<InvalidateOperation> invalidations, List<CacheExpression> groups,
		List<CacheExpression> bumps, List<CacheExpression> writeConditions, List<CacheExpression> invalidateConditions,
		boolean hasAfterReturning, boolean hasBeforeInvocation) {

	/**
	 * Creates the operations of a method, deriving once what every call would otherwise
	 * recompute.
	 */
	static CacheOperations of(Method method, String description, ReturnKind returnKind,
			@Nullable ReadOperation read, @Nullable ReadAllOperation readAll, List<WriteOperation> writes, List<InvalidateOperation> invalidations,
			List<CacheExpression> groups, List<CacheExpression> bumps) {
		return new CacheOperations(method, description, returnKind, read, readAll, writes, invalidations, groups, bumps,
				writes.stream().map(WriteOperation::condition).toList(),
				invalidations.stream().map(InvalidateOperation::condition).toList(),
				!writes.isEmpty() || !bumps.isEmpty()
						|| invalidations.stream().anyMatch((op) -> !op.beforeInvocation()),
				invalidations.stream().anyMatch(InvalidateOperation::beforeInvocation));
	}

	/**
	 * A {@code @ReadThrough}.
	 *
	 * @param cache the cache name
	 * @param key the key expression, or null for the default key
	 * @param tags the tag expressions
	 * @param condition the condition, or null
	 * @param unless the veto, or null
	 */
	record ReadOperation(String cache, @Nullable CacheExpression key, List<CacheExpression> tags,
			@Nullable CacheExpression condition, @Nullable CacheExpression unless) {
	}

	/**
	 * A {@code @WriteThrough}.
	 *
	 * @param cache the cache name
	 * @param key the key expression, or null for the default key
	 * @param value the value expression, or null for the result
	 * @param tags the tag expressions
	 * @param condition the condition, or null
	 * @param unless the veto, or null
	 * @param mode put or evict
	 */
	record WriteOperation(String cache, @Nullable CacheExpression key, @Nullable CacheExpression value,
			List<CacheExpression> tags, @Nullable CacheExpression condition, @Nullable CacheExpression unless,
			WriteMode mode) {
	}

	/**
	 * An {@code @InvalidateTags}.
	 *
	 * @param tags the tag expressions
	 * @param condition the condition, or null
	 * @param beforeInvocation whether it runs before the method
	 */
	record InvalidateOperation(List<CacheExpression> tags, @Nullable CacheExpression condition,
			boolean beforeInvocation) {
	}

}
