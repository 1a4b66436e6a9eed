package dev.tieredcache.serialization;

import java.util.Collection;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindContext;
import tools.jackson.databind.DefaultTyping;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsontype.NamedType;
import tools.jackson.databind.jsontype.PolymorphicTypeValidator;
import tools.jackson.databind.jsontype.TypeIdResolver;
import tools.jackson.databind.jsontype.impl.DefaultTypeResolverBuilder;

import org.springframework.util.Assert;

/**
 * JSON serialization with Jackson 3 that records each value's class in the JSON, so that
 * plain Spring {@code @Cacheable} methods get back the type they cached, and that reads
 * back only classes in the allowed packages.
 *
 * <p>Type ids are written for every value except the JSON-native {@code String},
 * {@code Boolean}, {@code Integer} and {@code Double}. On read, each type id is checked
 * against the allow-list by its name <em>before</em> the class is loaded, so a payload
 * naming any other class (a deserialization gadget) is refused without loading it; a
 * generic id ({@code java.util.ArrayList<com.example.Item>}) is checked name by name.
 */
public class AllowListJsonSerializer implements ValueSerializer {

	private final JsonMapper mapper;

	/**
	 * Creates a serializer that allows the given packages and their sub-packages.
	 * @param allowedPackages package names such as {@code com.example}
	 */
	public AllowListJsonSerializer(List<String> allowedPackages) {
		Assert.notEmpty(allowedPackages, "allowedPackages must not be empty");
		for (String allowed : allowedPackages) {
			Assert.hasText(allowed, "allowedPackages must not contain an empty package");
		}
		this.mapper = JsonMapper.builder()
			.setDefaultTyping(new EveryValueTyping(new PackageAllowList(allowedPackages)))
			.build();
	}

	@Override
	public byte[] serialize(Object value) {
		try {
			return this.mapper.writeValueAsBytes(value);
		}
		catch (JacksonException ex) {
			throw new SerializationFailedException("Cannot serialize a value of " + value.getClass().getName(), ex);
		}
	}

	@Override
	public @Nullable Object deserialize(byte[] bytes) {
		try {
			return this.mapper.readValue(bytes, Object.class);
		}
		catch (JacksonException | IllegalArgumentException ex) {
			throw new SerializationFailedException("Cannot read a cached value: " + ex.getClass().getSimpleName(), ex);
		}
	}

	/**
	 * Default typing for every type but the JSON-native ones, which Jackson 3 no longer
	 * offers as a {@link DefaultTyping} constant.
	 */
	private static final class EveryValueTyping extends DefaultTypeResolverBuilder {

		private final PackageAllowList allowList;

		EveryValueTyping(PackageAllowList allowList) {
			super(allowList, DefaultTyping.NON_FINAL, JsonTypeInfo.As.PROPERTY);
			this.allowList = allowList;
		}

		@Override
		protected TypeIdResolver idResolver(DatabindContext context, JavaType baseType,
				PolymorphicTypeValidator validator, Collection<NamedType> subtypes, boolean forSerialization,
				boolean forDeserialization) {
			return new AllowListIdResolver(baseType, subtypes, this.allowList);
		}

		@Override
		public boolean useForType(JavaType type) {
			if (type.isPrimitive()) {
				return false;
			}
			while (type.isArrayType()) {
				type = type.getContentType();
			}
			while (type.isReferenceType()) {
				type = type.getReferencedType();
			}
			Class<?> raw = type.getRawClass();
			return raw != String.class && raw != Boolean.class && raw != Integer.class && raw != Double.class
					&& !type.isPrimitive() && !tools.jackson.databind.JsonNode.class.isAssignableFrom(raw);
		}

	}

}
