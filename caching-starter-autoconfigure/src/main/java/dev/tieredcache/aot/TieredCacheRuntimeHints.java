package dev.tieredcache.aot;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;

/**
 * The runtime hints of what the starter itself loads from resources or reflectively, for a
 * native image (Spring AOT reads this registrar from {@code META-INF/spring/aot.factories}):
 *
 * <ul>
 * <li>the Lua scripts under {@code dev/tieredcache/redis/}, read as class path resources
 * when the Redis tier is first used;</li>
 * <li>the {@code #root} object of the cache annotations' SpEL expressions
 * ({@code #root.methodName}, {@code #root.args}, {@code #root.target}, ...), whose getters
 * SpEL invokes reflectively.</li>
 * </ul>
 *
 * The types of the application's annotated methods (values the JSON serializer writes and
 * reads, arguments expressions navigate) are registered per bean by
 * {@link CachedMethodsAotProcessor}.
 */
public class TieredCacheRuntimeHints implements RuntimeHintsRegistrar {

	/** The class path pattern of the starter's Lua scripts. */
	static final String SCRIPTS = "dev/tieredcache/redis/*.lua";

	/** The {@code #root} object of cache expressions, package-private in its package. */
	static final String EXPRESSION_ROOT = "dev.tieredcache.interceptor.InvocationContext$Root";

	@Override
	public void registerHints(RuntimeHints hints, ClassLoader classLoader) {
		hints.resources().registerPattern(SCRIPTS);
		hints.reflection()
			.registerType(TypeReference.of(EXPRESSION_ROOT), MemberCategory.INVOKE_PUBLIC_METHODS);
	}

}
