package dev.tieredcache.serialization;

import java.util.Collection;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindContext;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.jsontype.NamedType;
import tools.jackson.databind.jsontype.impl.ClassNameIdResolver;

/**
 * Class-name type ids, checked against the allow-list both ways.
 *
 * <ul>
 * <li>On read, every class an id names is checked before Jackson sees the id. Jackson
 * validates only the raw part of a generic id ({@code java.util.ArrayList} of
 * {@code java.util.ArrayList<com.example.Evil>}) and then loads and initializes the
 * classes of its type parameters; here such an id is refused first, so no class outside
 * the allow-list is ever loaded.</li>
 * <li>On write, an id naming a class outside the allow-list raises
 * {@link RefusedTypeIdException}: a value that could never be read back is not
 * written.</li>
 * </ul>
 */
final class AllowListIdResolver extends ClassNameIdResolver {

	private static final long serialVersionUID = 1L;

	private final PackageAllowList allowList;

	AllowListIdResolver(JavaType baseType, Collection<NamedType> subtypes, PackageAllowList allowList) {
		super(baseType, subtypes, allowList);
		this.allowList = allowList;
	}

	@Override
	public String idFromValue(DatabindContext context, Object value) throws JacksonException {
		return checked(super.idFromValue(context, value));
	}

	@Override
	public String idFromValueAndType(DatabindContext context, Object value, Class<?> type) throws JacksonException {
		return checked(super.idFromValueAndType(context, value, type));
	}

	private String checked(String id) {
		String disallowed = (id != null) ? this.allowList.firstDisallowed(id) : null;
		if (disallowed != null) {
			throw new RefusedTypeIdException(disallowed);
		}
		return id;
	}

	@Override
	public JavaType typeFromId(DatabindContext context, String id) throws JacksonException {
		if (this.allowList.firstDisallowed(id) != null) {
			String reason = "names a class outside tiered-cache.serialization.allowed-packages";
			if (context instanceof DeserializationContext deserialization) {
				throw deserialization.invalidTypeIdException(this._baseType, id, reason);
			}
			throw new IllegalArgumentException("Type id " + reason);
		}
		return super.typeFromId(context, id);
	}

}
