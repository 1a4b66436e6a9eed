package dev.tieredcache.schema;

import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A fingerprint of the structure of value types: what two versions of an application must
 * agree on to read each other's cached values. A class's name, and for the application's own
 * classes their fields (records: components) with their names and generic types,
 * recursively; JDK types by name; enums with their constants. Two builds of the same
 * classes get the same fingerprint on any JVM; adding, removing, renaming or retyping a field
 * anywhere in the graph changes it.
 */
final class TypeFingerprint {

	private TypeFingerprint() {
	}

	/**
	 * Returns the fingerprint of a set of types, whatever their order.
	 * @param types the types
	 * @return a 64-bit id, never 0 (no schema) or -1
	 */
	static long of(Collection<Type> types) {
		Map<String, String> structures = new TreeMap<>();
		Set<String> roots = new TreeSet<>();
		for (Type type : types) {
			roots.add(reference(type, structures));
		}
		StringBuilder text = new StringBuilder(String.join("|", roots));
		structures.forEach((name, structure) -> text.append('\n').append(name).append(structure));
		return hash(text.toString());
	}

	/**
	 * Returns the id of an explicit schema version.
	 * @param version the version
	 * @return a 64-bit id, never 0 or -1
	 */
	static long ofVersion(String version) {
		return hash("version:" + version);
	}

	private static long hash(String text) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
			long id = ByteBuffer.wrap(digest).getLong();
			return (id == 0 || id == -1) ? 1 : id;
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every JVM", ex);
		}
	}

	/**
	 * Returns how a type is referred to (names and type arguments only), and records the
	 * structure of each of the application's classes it reaches, once per class: the cost
	 * grows with the number of classes, not with the number of paths between them.
	 */
	private static String reference(Type type, Map<String, String> structures) {
		if (type instanceof Class<?> type1) {
			if (type1.isArray()) {
				return reference(type1.getComponentType(), structures) + "[]";
			}
			record(type1, structures);
			return type1.getName();
		}
		if (type instanceof ParameterizedType parameterized) {
			StringBuilder out = new StringBuilder(reference(parameterized.getRawType(), structures)).append('<');
			for (Type argument : parameterized.getActualTypeArguments()) {
				out.append(reference(argument, structures)).append(',');
			}
			return out.append('>').toString();
		}
		if (type instanceof GenericArrayType array) {
			return reference(array.getGenericComponentType(), structures) + "[]";
		}
		if (type instanceof WildcardType wildcard) {
			StringBuilder out = new StringBuilder("?");
			for (Type bound : wildcard.getUpperBounds()) {
				out.append(reference(bound, structures));
			}
			return out.toString();
		}
		if (type instanceof TypeVariable<?> variable) {
			return variable.getName();
		}
		return type.getTypeName();
	}

	private static void record(Class<?> type, Map<String, String> structures) {
		if (type.isPrimitive() || isPlatform(type) || structures.containsKey(type.getName())) {
			return;
		}
		// Recorded before its members are described: a cycle back to it stops here.
		structures.put(type.getName(), "");
		StringBuilder out = new StringBuilder();
		if (type.isEnum()) {
			out.append('[');
			for (Object constant : type.getEnumConstants()) {
				out.append(((Enum<?>) constant).name()).append(',');
			}
			out.append(']');
		}
		else if (type.isRecord()) {
			out.append('(');
			for (RecordComponent component : type.getRecordComponents()) {
				out.append(component.getName()).append(':')
					.append(reference(component.getGenericType(), structures))
					.append(',');
			}
			out.append(')');
		}
		else {
			out.append('{');
			for (Class<?> c = type; c != null && !isPlatform(c); c = c.getSuperclass()) {
				// Sorted: the JVM does not promise getDeclaredFields() in declaration order.
				Field[] fields = c.getDeclaredFields();
				Arrays.sort(fields, Comparator.comparing(Field::getName));
				for (Field field : fields) {
					if (Modifier.isStatic(field.getModifiers()) || Modifier.isTransient(field.getModifiers())
							|| field.isSynthetic()) {
						continue;
					}
					out.append(field.getName()).append(':').append(reference(field.getGenericType(), structures))
						.append(',');
				}
			}
			out.append('}');
		}
		structures.put(type.getName(), out.toString());
	}

	private static boolean isPlatform(Class<?> type) {
		String name = type.getName();
		return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
				|| name.startsWith("kotlin.");
	}

}
