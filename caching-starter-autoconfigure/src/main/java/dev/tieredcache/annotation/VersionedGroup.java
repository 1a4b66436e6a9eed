package dev.tieredcache.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Puts {@link ReadThrough} entries in a versioned group, or bumps the group's version.
 *
 * <p>On a {@code @ReadThrough} method (or its class, for all of them), the entry's
 * effective key includes the group's current version. With {@code bump = true} on a
 * method, the version is incremented after a normal return (after the commit inside a
 * transaction), so every entry of the group becomes unreachable at once on every instance
 * without enumerating keys; old entries age out by their TTL.
 *
 * <pre class="code">
 * &#64;ReadThrough(cache = "dashboards", key = "#userId")
 * &#64;VersionedGroup("'dashboards:team:' + #teamId")
 * public Dashboard dashboard(long userId, long teamId) { ... }
 *
 * &#64;VersionedGroup(value = "'dashboards:team:' + #teamId", bump = true)
 * public void publishReport(long teamId) { ... }
 * </pre>
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Repeatable(VersionedGroup.List.class)
public @interface VersionedGroup {

	/**
	 * SpEL expression of the group name.
	 * @return the group expression
	 */
	String value();

	/**
	 * Whether the method bumps the group's version instead of reading in it.
	 * @return whether to bump
	 */
	boolean bump() default false;

	/**
	 * Container of repeated {@link VersionedGroup}s.
	 */
	@Target({ ElementType.METHOD, ElementType.TYPE })
	@Retention(RetentionPolicy.RUNTIME)
	@Documented
	@interface List {

		VersionedGroup[] value();

	}

}
