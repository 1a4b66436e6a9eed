package dev.tieredcache.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Caches each element of a method that loads many values at once, one cache entry per key,
 * and calls the method only for the keys no tier holds: at most once per call, with exactly
 * those keys.
 *
 * <pre class="code">
 * &#64;ReadThroughAll(cache = "users", tags = "'team:' + #value.teamId")
 * public Map&lt;Long, User&gt; findAll(List&lt;Long&gt; ids) { ... }
 * </pre>
 *
 * <ul>
 * <li>The method returns {@code Map<K, V>} and takes the keys as a {@code List},
 * {@code Set}, {@code Collection} or array parameter; it is called with the missing keys in
 * that same type, in request order. Keys missing from the map it returns have no value and
 * are cached as null for the cache's {@code null-ttl} (not at all when it is 0).</li>
 * <li>The caller gets a map (in request order) of every requested key that has a non-null
 * value.</li>
 * <li>Each key is the entry {@code @ReadThrough(key = ...)} reaches with that key as its
 * value (encoded the same way), so {@link ReadThrough}, {@link WriteThrough} and
 * {@link InvalidateTags} on single elements apply to them; {@link VersionedGroup}s on the
 * method or its class apply to every element.</li>
 * <li>Stampede protection is per key, in this JVM and across instances: keys another caller
 * is loading are waited for, not loaded again. The method is called a second time in one
 * call only for keys whose other loader failed or went away.</li>
 * </ul>
 *
 * Batch reads do not refresh ahead: {@code early-refresh} and
 * {@code stale-while-revalidate} apply to single reads only.
 *
 * @see dev.tieredcache.cache.TieredCache#getAll(java.util.Collection, java.util.function.Function)
 */
@Target({ ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ReadThroughAll {

	/**
	 * Name of the cache.
	 * @return the cache name
	 */
	String cache();

	/**
	 * The parameter holding the keys, as a reference ({@code #ids}, {@code #p0},
	 * {@code #a0}) to a {@code List}, {@code Set}, {@code Collection} or array parameter.
	 * Default: the method's only parameter of one of those types.
	 * @return the keys parameter
	 */
	String keys() default "";

	/**
	 * SpEL expressions of the tags of each element's entry, with {@code #key} (the
	 * element's key) and {@code #value} (its loaded value) in scope beside the arguments. A
	 * tag that uses {@code #value} cannot be versioned before the load: such an element is
	 * cached only if the tag's version was already known on this instance and no tag
	 * version changed here during the load.
	 * @return the tag expressions
	 */
	String[] tags() default {};

	/**
	 * SpEL condition evaluated before the call: false bypasses the cache entirely.
	 * @return the condition, empty for always
	 */
	String condition() default "";

	/**
	 * SpEL condition evaluated per loaded element, with {@code #key} and {@code #value}:
	 * true keeps that element out of the cache.
	 * @return the veto, empty for never
	 */
	String unless() default "";

}
