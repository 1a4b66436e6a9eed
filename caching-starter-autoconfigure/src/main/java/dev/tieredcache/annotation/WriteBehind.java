package dev.tieredcache.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Write-behind: a call stores the value in both tiers and records the write as pending in
 * Redis, both in one atomic script, then returns without running the method's body. A
 * flusher (on whichever instance claims the key) later runs the body, the real method
 * without this advice, with the latest value of each key; writes of one key between two
 * flushes reach the database once, with the last value, and never in an older order.
 * Until its flush, a pending value is what every instance reads for its key, and it
 * neither expires nor can be evicted.
 *
 * <pre class="code">
 * &#64;WriteBehind(cache = "last-seen", key = "#userId", flushAll = "saveAll")
 * public void save(long userId, Instant seen) { ... }
 *
 * public void saveAll(Map&lt;Long, Instant&gt; seen) { ... }
 * </pre>
 *
 * The method returns {@code void} and takes the value (one parameter; {@code key} is then
 * required) or the key and the value (two parameters, in that order; the flusher passes
 * the evaluated key and value back). Flush methods run at least once per write and must be
 * idempotent. If Redis cannot take a call, the method runs at once (write-through) and the
 * fallback is counted. One {@code @WriteBehind} method per cache.
 */
@Target({ ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface WriteBehind {

	/**
	 * Name of the cache; its {@code tiered-cache.caches.<name>.write-behind.*} settings apply.
	 * @return the cache name
	 */
	String cache();

	/**
	 * SpEL expression of the key. Default: the first argument of a two-parameter method;
	 * required for a one-parameter method.
	 * @return the key expression
	 */
	String key() default "";

	/**
	 * SpEL expression of the value. Default: the method's only argument, or the second of
	 * two.
	 * @return the value expression
	 */
	String value() default "";

	/**
	 * SpEL condition: false runs the method at once, without the cache.
	 * @return the condition, empty for always
	 */
	String condition() default "";

	/**
	 * Name of a method of the same bean taking a {@code Map<K, V>} (key to value) or a
	 * {@code Collection<V>}: when set, the flusher calls it with up to {@code batch-size}
	 * values at a time instead of calling the annotated method once per key.
	 * @return the method name, empty for none
	 */
	String flushAll() default "";

}
