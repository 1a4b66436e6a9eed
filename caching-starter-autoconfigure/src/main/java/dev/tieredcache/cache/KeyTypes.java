package dev.tieredcache.cache;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.interceptor.SimpleKey;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Decides, once per class, how keys of that class are turned into strings, or why they
 * cannot be: the rules behind {@link CacheKeyEncoder}, in this order.
 *
 * <ol>
 * <li>{@code String}, boxed primitives, {@code BigInteger}, {@code BigDecimal},
 * {@code UUID} and the {@code java.time} types: their {@code toString()}, which is exact
 * for each ({@code BigDecimal} keeps its scale, as its {@code equals} does); enums: their
 * {@code name()}; {@code java.util.Date}: its instant (its {@code toString()} drops the
 * milliseconds and depends on the time zone).</li>
 * <li>Arrays: refused (their {@code toString()} is their identity).</li>
 * <li>A class the application's {@code ConversionService} has its own converter to
 * {@code String} for (see {@link KeyConverters}): that converter.</li>
 * <li>Spring's {@code SimpleKey}, records and {@code List}s: structurally, element by
 * element, each element by these same rules.</li>
 * <li>Other collections, maps, lambdas and generated classes: refused (no order that is
 * the same on every instance, or no meaningful string form).</li>
 * <li>A class that overrides {@code toString()}: its {@code toString()}, which must then
 * tell keys apart as {@code equals} does. Any other class is refused.</li>
 * </ol>
 *
 * Thread-safe; the decisions are cached in a {@link ClassValue}.
 */
final class KeyTypes {

	/** How keys of a class are encoded. */
	enum Kind {

		/** By {@code toString()}. */
		STRING_FORM,
		/** By {@code Enum.name()}. */
		ENUM,
		/** By the instant of a {@code java.util.Date}. */
		DATE,
		/** By the application's converter. */
		CONVERTED,
		/** By the parts of a Spring {@code SimpleKey}. */
		SIMPLE_KEY,
		/** By the record's name and its components. */
		RECORD,
		/** By the list's elements. */
		LIST,
		/** Not at all. */
		REFUSED

	}

	/**
	 * The decision for one class.
	 *
	 * @param kind how its keys are encoded
	 * @param accessors the component accessors of a record, in order
	 * @param recordName the simple name of a record
	 * @param refusal why its keys are refused, for {@link Kind#REFUSED}
	 */
	record KeyType(Kind kind, Method @Nullable [] accessors, @Nullable String recordName, @Nullable String refusal) {

		static KeyType of(Kind kind) {
			return new KeyType(kind, null, null, null);
		}

		static KeyType refused(String reason) {
			return new KeyType(Kind.REFUSED, null, null, reason);
		}

	}

	private static final Set<Class<?>> VALUE_TYPES = Set.of(String.class, Boolean.class, Character.class, Byte.class,
			Short.class, Integer.class, Long.class, Float.class, Double.class, BigInteger.class, BigDecimal.class,
			UUID.class);

	private static final @Nullable Field SIMPLE_KEY_PARAMS = findSimpleKeyParams();

	private final KeyConverters converters;

	private final ClassValue<KeyType> types = new ClassValue<>() {

		@Override
		protected KeyType computeValue(Class<?> type) {
			return classify(type);
		}

	};

	KeyTypes(KeyConverters converters) {
		this.converters = converters;
	}

	/** Returns how keys of the given class are encoded. */
	KeyType of(Class<?> type) {
		return this.types.get(type);
	}

	KeyConverters converters() {
		return this.converters;
	}

	/** Returns the parts of a {@code SimpleKey}. */
	static Object[] simpleKeyParts(SimpleKey key) {
		return (Object[]) ReflectionUtils.getField(SIMPLE_KEY_PARAMS, key);
	}

	/**
	 * Returns why no value of a declared type (a method parameter's) could ever be
	 * encoded, or null if some could: the type is an array, a set or a map without a
	 * converter of the application, or a final class that is refused.
	 * @param declared the declared type
	 * @return the reason, or null
	 */
	@Nullable String neverEncodable(Class<?> declared) {
		Class<?> type = ClassUtils.resolvePrimitiveIfNecessary(declared);
		KeyType keyType = of(type);
		if (keyType.kind() != Kind.REFUSED) {
			return null;
		}
		boolean everyInstanceRefused = type.isArray() || Modifier.isFinal(type.getModifiers())
				|| Set.class.isAssignableFrom(type) || Map.class.isAssignableFrom(type);
		return everyInstanceRefused ? keyType.refusal() : null;
	}

	private KeyType classify(Class<?> type) {
		if (VALUE_TYPES.contains(type) || (type.getPackageName().equals("java.time") && !type.isEnum())) {
			return KeyType.of(Kind.STRING_FORM);
		}
		if (Enum.class.isAssignableFrom(type)) {
			return KeyType.of(Kind.ENUM);
		}
		if (type == Date.class) {
			return KeyType.of(Kind.DATE);
		}
		if (type.isArray()) {
			return KeyType.refused("it is an array, whose toString() is its identity");
		}
		if (this.converters.hasApplicationConverter(type)) {
			return KeyType.of(Kind.CONVERTED);
		}
		if (type == SimpleKey.class) {
			return (SIMPLE_KEY_PARAMS != null) ? KeyType.of(Kind.SIMPLE_KEY)
					: KeyType.refused("this version of Spring hides the parts of a SimpleKey");
		}
		if (type.isRecord()) {
			return record(type);
		}
		if (List.class.isAssignableFrom(type)) {
			return KeyType.of(Kind.LIST);
		}
		if (Set.class.isAssignableFrom(type) || Map.class.isAssignableFrom(type)) {
			return KeyType.refused("it is a set or a map, whose order is not the same on every instance");
		}
		if (Collection.class.isAssignableFrom(type)) {
			return KeyType.refused("it is a collection other than a List, with no order to compare by");
		}
		if (type.isSynthetic() || type.isHidden() || type.isAnonymousClass()) {
			return KeyType.refused("it is a lambda or a generated class, with no stable string form");
		}
		if (ReflectionUtils.findMethod(type, "toString").getDeclaringClass() == Object.class) {
			return KeyType.refused("it does not override toString(), so different keys would share one entry");
		}
		return KeyType.of(Kind.STRING_FORM);
	}

	private static KeyType record(Class<?> type) {
		RecordComponent[] components = type.getRecordComponents();
		Method[] accessors = new Method[components.length];
		try {
			for (int i = 0; i < components.length; i++) {
				accessors[i] = components[i].getAccessor();
				ReflectionUtils.makeAccessible(accessors[i]);
			}
		}
		catch (RuntimeException ex) {
			return KeyType.refused("its components cannot be read (" + ex.getClass().getSimpleName() + ")");
		}
		return new KeyType(Kind.RECORD, accessors, type.getSimpleName(), null);
	}

	private static @Nullable Field findSimpleKeyParams() {
		try {
			Field field = SimpleKey.class.getDeclaredField("params");
			ReflectionUtils.makeAccessible(field);
			return (field.getType() == Object[].class) ? field : null;
		}
		catch (NoSuchFieldException | RuntimeException ex) {
			return null;
		}
	}

}
