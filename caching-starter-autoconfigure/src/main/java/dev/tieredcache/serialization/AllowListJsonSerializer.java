package dev.tieredcache.serialization;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindContext;
import tools.jackson.databind.DefaultTyping;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
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
 * generic id ({@code java.util.ArrayList<com.example.Item>}) is checked name by name. On
 * write, a value holding an instance of a class outside the allow-list is refused with a
 * {@link DisallowedClassException}, since it could never be read back.
 */
public class AllowListJsonSerializer implements ValueSerializer {

	/** Reads every value as {@code Object}: built once, so its root deserializer is found once. */
	private final ObjectReader reader;

	private final ObjectWriter writer;

	private final Set<String> refusedClasses = ConcurrentHashMap.newKeySet();

	/**
	 * Creates a serializer that allows the given packages and their sub-packages, and the
	 * JDK's value types.
	 * @param allowedPackages package names such as {@code com.example}
	 */
	public AllowListJsonSerializer(List<String> allowedPackages) {
		this(JsonMapper.builder(), allowedPackages);
	}

	/**
	 * Creates a serializer on a mapper builder that carries the application's Jackson
	 * configuration (its modules and customizers), allowing the given packages and their
	 * sub-packages, and the JDK's value types. The builder's default typing and type
	 * validator are replaced: type ids are always written and always checked.
	 * @param builder the builder, used up by this call
	 * @param allowedPackages package names such as {@code com.example}
	 */
	public AllowListJsonSerializer(JsonMapper.Builder builder, List<String> allowedPackages) {
		Assert.notNull(builder, "builder must not be null");
		Assert.notNull(allowedPackages, "allowedPackages must not be null");
		for (String allowed : allowedPackages) {
			Assert.hasText(allowed, "allowedPackages must not contain an empty package");
		}
		PackageAllowList allowList = new PackageAllowList(allowedPackages);
		JsonMapper mapper = builder.polymorphicTypeValidator(allowList)
			.setDefaultTyping(new EveryValueTyping(allowList))
			.build();
		this.reader = mapper.readerFor(Object.class);
		this.writer = mapper.writer();
	}

	/**
	 * {@inheritDoc}
	 * @throws DisallowedClassException if the value holds an instance of a class outside the
	 * allow-list, which could not be read back
	 */
	@Override
	public byte[] serialize(Object value) {
		try {
			return this.writer.writeValueAsBytes(value);
		}
		catch (JacksonException | RefusedTypeIdException ex) {
			RefusedTypeIdException refused = refusal(ex);
			if (refused != null) {
				throw new DisallowedClassException(refused.className(),
						this.refusedClasses.add(refused.className()));
			}
			throw new SerializationFailedException("Cannot serialize a value of " + value.getClass().getName(), ex);
		}
	}

	private static @Nullable RefusedTypeIdException refusal(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof RefusedTypeIdException refused) {
				return refused;
			}
		}
		return null;
	}

	@Override
	public @Nullable Object deserialize(byte[] bytes) {
		try {
			return this.reader.readValue(bytes);
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
			if (type.isArrayType()) {
				// Without its id, an array of strings or primitives is a plain JSON array,
				// which reads back as a List or not at all.
				return true;
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
