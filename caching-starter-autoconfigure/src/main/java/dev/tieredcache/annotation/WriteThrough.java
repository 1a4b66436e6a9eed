package dev.tieredcache.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Updates the cache after the method has written the source of truth and returned
 * normally; an exception means nothing is written. Inside a transaction, the update
 * happens after the commit and is dropped on rollback. A cache failure never fails the
 * method: if storing fails, the key is deleted where possible, and the failure is logged
 * and counted.
 *
 * <pre class="code">
 * &#64;WriteThrough(cache = "users", key = "#user.id")
 * public User save(User user) { ... }
 * </pre>
 *
 * Repeatable, to update several caches.
 */
@Target({ ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Repeatable(WriteThrough.List.class)
public @interface WriteThrough {

	/**
	 * Name of the cache.
	 * @return the cache name
	 */
	String cache();

	/**
	 * SpEL expression of the key; may use {@code #result}. Default: all arguments.
	 * @return the key expression
	 */
	String key() default "";

	/**
	 * SpEL expression of the value to store. Default: {@code #result}.
	 * @return the value expression
	 */
	String value() default "";

	/**
	 * SpEL expressions of the tags attached to the stored entry; may use {@code #result}.
	 * @return the tag expressions
	 */
	String[] tags() default {};

	/**
	 * SpEL condition evaluated before the call: false leaves the cache alone.
	 * @return the condition, empty for always
	 */
	String condition() default "";

	/**
	 * SpEL condition on the result: true leaves the cache alone.
	 * @return the veto, empty for never
	 */
	String unless() default "";

	/**
	 * Whether to store the new value or evict the key.
	 * @return the mode
	 */
	WriteMode mode() default WriteMode.PUT;

	/**
	 * Container of repeated {@link WriteThrough}s.
	 */
	@Target({ ElementType.METHOD })
	@Retention(RetentionPolicy.RUNTIME)
	@Documented
	@interface List {

		WriteThrough[] value();

	}

}
