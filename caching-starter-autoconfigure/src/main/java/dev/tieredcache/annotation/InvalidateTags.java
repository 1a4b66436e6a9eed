package dev.tieredcache.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Invalidates every entry carrying any of the tags, in every cache, on every instance:
 * gone from Redis (as far as any reader can tell) and from every L1. Costs one Redis
 * operation per tag however many entries carry it. Inside a transaction, it applies after
 * the commit and is dropped on rollback.
 *
 * <pre class="code">
 * &#64;InvalidateTags({"'user:' + #userId", "'team:' + #oldTeam", "'team:' + #newTeam"})
 * public void moveUser(long userId, long oldTeam, long newTeam) { ... }
 * </pre>
 */
@Target({ ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Repeatable(InvalidateTags.List.class)
public @interface InvalidateTags {

	/**
	 * SpEL expressions of the tags; may use {@code #result} unless
	 * {@link #beforeInvocation()}.
	 * @return the tag expressions
	 */
	String[] value();

	/**
	 * SpEL condition evaluated before the call: false invalidates nothing.
	 * @return the condition, empty for always
	 */
	String condition() default "";

	/**
	 * Whether to invalidate before the method runs (and even if it fails) instead of after
	 * it returns normally.
	 * @return whether to invalidate first
	 */
	boolean beforeInvocation() default false;

	/**
	 * Container of repeated {@link InvalidateTags}.
	 */
	@Target({ ElementType.METHOD })
	@Retention(RetentionPolicy.RUNTIME)
	@Documented
	@interface List {

		InvalidateTags[] value();

	}

}
