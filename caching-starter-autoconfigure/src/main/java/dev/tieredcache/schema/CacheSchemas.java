package dev.tieredcache.schema;

import java.lang.reflect.Type;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;

/**
 * Gives every cache its schema once every annotated bean is known: the explicit
 * {@code schema.version} of the cache, else (with {@code schema.fingerprint}, the default)
 * the {@linkplain TypeFingerprint fingerprint} of the value types its {@code @ReadThrough}
 * and {@code @ReadThroughAll} methods return, else none. Caches created later get theirs
 * when they are created.
 */
public final class CacheSchemas implements SmartInitializingSingleton {

	private static final Log logger = LogFactory.getLog(CacheSchemas.class);

	private final TieredCacheManager manager;

	private final Function<String, SchemaChoice> choices;

	private final Supplier<Map<String, Set<Type>>> valueTypes;

	private volatile Map<String, Set<Type>> types = Map.of();

	/**
	 * Creates the schemas.
	 * @param manager the caches
	 * @param choices how each cache's schema is chosen
	 * @param valueTypes the value types of each cache, known once every singleton exists
	 */
	public CacheSchemas(TieredCacheManager manager, Function<String, SchemaChoice> choices,
			Supplier<Map<String, Set<Type>>> valueTypes) {
		this.manager = manager;
		this.choices = choices;
		this.valueTypes = valueTypes;
	}

	@Override
	public void afterSingletonsInstantiated() {
		this.types = Map.copyOf(this.valueTypes.get());
		this.manager.onCacheCreated(this::apply);
	}

	private void apply(TieredCache cache) {
		cache.useSchema(schemaOf(cache.getName()));
	}

	/**
	 * Returns the schema id of a cache.
	 * @param cache the cache name
	 * @return the id, 0 for none
	 */
	public long schemaOf(String cache) {
		SchemaChoice choice = this.choices.apply(cache);
		if (choice.version() != null) {
			return TypeFingerprint.ofVersion(choice.version());
		}
		Set<Type> cached = this.types.get(cache);
		if (!choice.fingerprint() || cached == null || cached.isEmpty()) {
			return 0;
		}
		try {
			return TypeFingerprint.of(cached);
		}
		catch (RuntimeException | LinkageError ex) {
			// A class the JVM cannot introspect (a missing dependency of a field's type, say):
			// the cache still works, without a schema.
			logger.warn("Cache '" + cache + "' has no schema: the structure of its value types cannot be read ("
					+ ex.getClass().getName() + "); set tiered-cache.caches." + cache
					+ ".schema.version to give it one");
			return 0;
		}
	}

}
