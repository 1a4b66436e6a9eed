package dev.tieredcache.serialization;

import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.DatabindContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.jsontype.PolymorphicTypeValidator;

/**
 * Allows polymorphic types by package, deciding on the class <em>name</em>: a type id
 * outside the allowed packages is denied before Jackson loads the class, so not even its
 * static initializer runs. (Jackson's own {@code BasicPolymorphicTypeValidator} leaves
 * unmatched names undecided and loads the class to look at it.)
 *
 * <p>Besides the given packages, the JDK's value types are always allowed, by exact name
 * ({@link #JDK_VALUE_TYPES}): boxed primitives and {@code String}, {@code BigDecimal} and
 * {@code BigInteger}, everything in {@code java.time}, {@code UUID}, {@code Date},
 * {@code Locale}, {@code Currency}, {@code URI}, the JDBC date and time types, and the
 * collections and maps of {@code java.util} and {@code java.util.concurrent} (with the
 * JDK's immutable, unmodifiable and singleton variants); arrays of allowed types and of
 * primitives are allowed too. Nothing else of the JDK is: a class such as
 * {@code java.util.logging.FileHandler}, whose constructor has effects, is refused.
 */
final class PackageAllowList extends PolymorphicTypeValidator.Base {

	private static final long serialVersionUID = 1L;

	/** Exact names of the JDK classes always allowed. */
	static final Set<String> JDK_VALUE_TYPES = Set.of("java.lang.String", "java.lang.Boolean", "java.lang.Character",
			"java.lang.Byte", "java.lang.Short", "java.lang.Integer", "java.lang.Long", "java.lang.Float",
			"java.lang.Double", "java.math.BigDecimal", "java.math.BigInteger", "java.util.UUID", "java.util.Date",
			"java.util.Locale", "java.util.Currency", "java.net.URI", "java.sql.Date", "java.sql.Time",
			"java.sql.Timestamp", "java.util.ArrayList", "java.util.LinkedList", "java.util.ArrayDeque",
			"java.util.HashMap", "java.util.LinkedHashMap", "java.util.TreeMap", "java.util.HashSet",
			"java.util.LinkedHashSet", "java.util.TreeSet", "java.util.EnumSet", "java.util.EnumMap",
			"java.util.Arrays$ArrayList", "java.util.concurrent.ConcurrentHashMap",
			"java.util.concurrent.ConcurrentSkipListMap", "java.util.concurrent.ConcurrentSkipListSet",
			"java.util.concurrent.CopyOnWriteArrayList", "java.util.concurrent.CopyOnWriteArraySet");

	/** Prefixes of JDK class names always allowed: a package and the JDK's collection wrappers. */
	private static final List<String> JDK_VALUE_PREFIXES = List.of("java.time.", "java.util.ImmutableCollections$",
			"java.util.Collections$");

	private final String[] prefixes;

	/**
	 * Creates the allow-list.
	 * @param packages package names; their sub-packages are allowed too
	 */
	PackageAllowList(List<String> packages) {
		this.prefixes = packages.stream().map((p) -> p.endsWith(".") ? p : p + ".").toArray(String[]::new);
	}

	@Override
	public Validity validateBaseType(DatabindContext context, JavaType baseType) {
		return Validity.INDETERMINATE;
	}

	@Override
	public Validity validateSubClassName(DatabindContext context, JavaType baseType, String subClassName) {
		return isAllowed(subClassName) ? Validity.ALLOWED : Validity.DENIED;
	}

	@Override
	public Validity validateSubType(DatabindContext context, JavaType baseType, JavaType subType) {
		return isAllowed(subType.getRawClass().getName()) ? Validity.ALLOWED : Validity.DENIED;
	}

	/**
	 * Returns the first class a type id names that is not allowed: the id itself, or, for
	 * a generic id such as {@code java.util.ArrayList<com.example.Item>}, one of the names
	 * in it. Jackson checks only the raw name of a generic id with a validator and then
	 * loads the type parameters, so they must be checked before the id reaches it.
	 * @param typeId the type id, as written in the JSON
	 * @return the first class name not allowed, or null if the id may be resolved
	 */
	@Nullable String firstDisallowed(String typeId) {
		int start = 0;
		for (int i = 0; i <= typeId.length(); i++) {
			if (i == typeId.length() || isGenericDelimiter(typeId.charAt(i))) {
				if (i > start) {
					String name = typeId.substring(start, i);
					if (!isAllowed(name)) {
						return name;
					}
				}
				start = i + 1;
			}
		}
		return null;
	}

	private static boolean isGenericDelimiter(char c) {
		return c == '<' || c == '>' || c == ',' || c == '[' || c == ']' || Character.isWhitespace(c);
	}

	boolean isAllowed(String className) {
		String name = className;
		while (name.startsWith("[")) {
			name = name.substring(1);
		}
		if (name.length() == 1) {
			return true;
		}
		if (name.startsWith("L") && name.endsWith(";")) {
			name = name.substring(1, name.length() - 1);
		}
		if (JDK_VALUE_TYPES.contains(name)) {
			return true;
		}
		for (String prefix : JDK_VALUE_PREFIXES) {
			if (name.startsWith(prefix)) {
				return true;
			}
		}
		for (String prefix : this.prefixes) {
			if (name.startsWith(prefix)) {
				return true;
			}
		}
		return false;
	}

}
