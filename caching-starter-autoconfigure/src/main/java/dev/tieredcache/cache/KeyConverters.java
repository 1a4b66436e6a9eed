package dev.tieredcache.cache;

import java.lang.reflect.Method;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.core.convert.ConversionService;
import org.springframework.core.convert.TypeDescriptor;
import org.springframework.core.convert.converter.GenericConverter;
import org.springframework.core.convert.converter.GenericConverter.ConvertiblePair;
import org.springframework.core.convert.support.GenericConversionService;
import org.springframework.util.ReflectionUtils;

/**
 * The converters to {@code String} that the application registered in its
 * {@link ConversionService}, for key classes that have no string form of their own.
 *
 * <p>A conversion service usually converts <em>anything</em> to a string: Spring's default
 * converters fall back to {@code toString()} (which is {@code Class@hash} for a class that
 * does not override it) and join collections and arrays with commas, which is ambiguous.
 * Such converters are not trusted: a class counts as convertible only when the converter
 * the service picks for it is not the one a service with nothing but Spring's and Boot's
 * defaults would pick (a fresh {@link ApplicationConversionService}), compared by the
 * source and target types the converter declares. A {@link GenericConversionService} is
 * asked which converter it picks; any other service counts only if it cannot convert an
 * arbitrary class, that is if it has no catch-all converter. Thread-safe; callers cache
 * the answer per class.
 */
final class KeyConverters {

	private static final TypeDescriptor STRING = TypeDescriptor.valueOf(String.class);

	private static final @Nullable Method GET_CONVERTER = findGetConverter();

	private final @Nullable ConversionService service;

	/**
	 * Creates the converters of a conversion service.
	 * @param service the application's conversion service, or null for none
	 */
	KeyConverters(@Nullable ConversionService service) {
		this.service = service;
	}

	/**
	 * Whether the application registered a converter from the given class (or one of its
	 * supertypes other than {@code Object}) to {@code String}.
	 * @param type the key class
	 * @return whether {@link #convert} applies to its instances
	 */
	boolean hasApplicationConverter(Class<?> type) {
		ConversionService service = this.service;
		TypeDescriptor source = TypeDescriptor.valueOf(type);
		if (service == null || !service.canConvert(source, STRING)) {
			return false;
		}
		if (service instanceof GenericConversionService generic && GET_CONVERTER != null) {
			Set<ConvertiblePair> picked = convertibleTypes(generic, source);
			return picked != null && !picked.equals(convertibleTypes(Defaults.SERVICE, source));
		}
		return !service.canConvert(TypeDescriptor.valueOf(Unconvertible.class), STRING);
	}

	/**
	 * Converts a key with the application's converter.
	 * @param key a key of a class for which {@link #hasApplicationConverter} is true
	 * @return its string form, or null if the converter gave none
	 */
	@Nullable String convert(Object key) {
		return (this.service != null) ? this.service.convert(key, String.class) : null;
	}

	private static @Nullable Set<ConvertiblePair> convertibleTypes(GenericConversionService service,
			TypeDescriptor source) {
		GenericConverter converter = (GenericConverter) ReflectionUtils.invokeMethod(GET_CONVERTER, service, source,
				STRING);
		return (converter != null) ? converter.getConvertibleTypes() : null;
	}

	/**
	 * {@code GenericConversionService#getConverter} is protected: subclasses may ask which
	 * converter serves a pair of types, and so do we, since the public API only tells
	 * whether <em>some</em> converter does.
	 */
	private static @Nullable Method findGetConverter() {
		try {
			Method method = GenericConversionService.class.getDeclaredMethod("getConverter", TypeDescriptor.class,
					TypeDescriptor.class);
			ReflectionUtils.makeAccessible(method);
			return method;
		}
		catch (NoSuchMethodException | RuntimeException ex) {
			return null;
		}
	}

	/** The reference: what a conversion service holds before an application adds to it. */
	private static final class Defaults {

		static final GenericConversionService SERVICE = new ApplicationConversionService();

	}

	/** A class no one registers a converter for, to detect catch-all converters. */
	private static final class Unconvertible {

	}

}
