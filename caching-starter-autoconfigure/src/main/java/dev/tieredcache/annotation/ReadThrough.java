package dev.tieredcache.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Caches the method's result in both tiers and returns it from the cache on later calls,
 * with stampede protection: concurrent misses on one key, in this JVM and across
 * instances, run the method once.
 *
 * <pre class="code">
 * &#64;ReadThrough(cache = "users", key = "#id", tags = {"'user:' + #id", "'team:' + #teamId"})
 * public User find(long id, long teamId) { ... }
 * </pre>
 *
 * Return types: plain values, {@code Optional} (its content is cached) and
 * {@code CompletableFuture} (the future's value is cached; concurrent callers share one
 * load). A null result is cached for the cache's {@code null-ttl}, or not at all when it is
 * 0. Expressions are SpEL over the arguments ({@code #id}, {@code #p0}, {@code #a0}), beans
 * ({@code @name}) and, in {@link #unless()}, {@code #result}.
 *
 * @see WriteThrough
 * @see InvalidateTags
 * @see VersionedGroup
 */
@Target({ ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ReadThrough {

	/**
	 * Name of the cache.
	 * @return the cache name
	 */
	String cache();

	/**
	 * SpEL expression of the key. Default: all arguments, as Spring's default key (no
	 * arguments: an empty key; one: that argument; several: all of them).
	 * @return the key expression
	 */
	String key() default "";

	/**
	 * SpEL expressions of the tags attached to the entry; invalidating any of them, with
	 * {@link InvalidateTags}, drops the entry everywhere. Evaluated before the method runs,
	 * over its arguments.
	 * @return the tag expressions
	 */
	String[] tags() default {};

	/**
	 * SpEL condition evaluated before the call: false bypasses the cache entirely.
	 * @return the condition, empty for always
	 */
	String condition() default "";

	/**
	 * SpEL condition evaluated on the result ({@code #result}): true keeps it out of the
	 * cache.
	 * @return the veto, empty for never
	 */
	String unless() default "";

}
