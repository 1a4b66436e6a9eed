package dev.tieredcache.serialization;

import java.util.List;

import tools.jackson.databind.DatabindContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.jsontype.PolymorphicTypeValidator;

/**
 * Allows polymorphic types by package, deciding on the class <em>name</em>: a type id
 * outside the allowed packages is denied before Jackson loads the class, so not even its
 * static initializer runs. (Jackson's own {@code BasicPolymorphicTypeValidator} leaves
 * unmatched names undecided and loads the class to look at it.)
 */
final class PackageAllowList extends PolymorphicTypeValidator.Base {

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
	 * Whether every class a type id names is allowed: the id itself, or, for a generic id
	 * such as {@code java.util.ArrayList<com.example.Item>}, each name in it. Jackson checks
	 * only the raw name of a generic id with a validator and then loads the type
	 * parameters, so they must be checked before the id reaches it.
	 * @param typeId the type id, as written in the JSON
	 * @return whether it may be resolved
	 */
	boolean isAllowedTypeId(String typeId) {
		int start = 0;
		for (int i = 0; i <= typeId.length(); i++) {
			if (i == typeId.length() || isGenericDelimiter(typeId.charAt(i))) {
				if (i > start && !isAllowed(typeId.substring(start, i))) {
					return false;
				}
				start = i + 1;
			}
		}
		return true;
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
		for (String prefix : this.prefixes) {
			if (name.startsWith(prefix)) {
				return true;
			}
		}
		return false;
	}

}
