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
import java.util.HashSet;
import java.util.Set;
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
		Set<String> described = new TreeSet<>();
		for (Type type : types) {
			StringBuilder out = new StringBuilder();
			describe(type, out, new HashSet<>());
			described.add(out.toString());
		}
		return hash(String.join("|", described));
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

	private static void describe(Type type, StringBuilder out, Set<Class<?>> visiting) {
		if (type instanceof Class<?> type1) {
			describeClass(type1, out, visiting);
		}
		else if (type instanceof ParameterizedType parameterized) {
			describe(parameterized.getRawType(), out, visiting);
			out.append('<');
			for (Type argument : parameterized.getActualTypeArguments()) {
				describe(argument, out, visiting);
				out.append(',');
			}
			out.append('>');
		}
		else if (type instanceof GenericArrayType array) {
			describe(array.getGenericComponentType(), out, visiting);
			out.append("[]");
		}
		else if (type instanceof WildcardType wildcard) {
			out.append('?');
			for (Type bound : wildcard.getUpperBounds()) {
				describe(bound, out, visiting);
			}
		}
		else if (type instanceof TypeVariable<?> variable) {
			out.append(variable.getName());
		}
		else {
			out.append(type.getTypeName());
		}
	}

	private static void describeClass(Class<?> type, StringBuilder out, Set<Class<?>> visiting) {
		if (type.isArray()) {
			describe(type.getComponentType(), out, visiting);
			out.append("[]");
			return;
		}
		out.append(type.getName());
		if (type.isPrimitive() || isPlatform(type) || !visiting.add(type)) {
			return;
		}
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
				out.append(component.getName()).append(':');
				describe(component.getGenericType(), out, visiting);
				out.append(',');
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
					out.append(field.getName()).append(':');
					describe(field.getGenericType(), out, visiting);
					out.append(',');
				}
			}
			out.append('}');
		}
		visiting.remove(type);
	}

	private static boolean isPlatform(Class<?> type) {
		String name = type.getName();
		return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
				|| name.startsWith("kotlin.");
	}

}
