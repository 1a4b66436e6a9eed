package dev.tieredcache.cache;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Date;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.interceptor.SimpleKey;
import org.springframework.core.convert.ConversionService;
import org.springframework.util.Assert;
import org.springframework.util.ReflectionUtils;

import dev.tieredcache.cache.KeyTypes.KeyType;

/**
 * Turns cache keys, tags and names into the canonical strings used in both tiers, in
 * Redis key names and in invalidation messages.
 *
 * <h2>Strings</h2>
 * The encoding of a string is injective: printable ASCII passes through, except the
 * characters the Redis key layout, messages or structured keys give a meaning to
 * ({@code % # { } * ? [ ] \ | @ ,}), which are percent-encoded with everything else
 * (spaces, control characters, non-ASCII as UTF-8). An encoding longer than
 * {@value #MAX_LENGTH} characters is replaced by {@code #} and the Base64 of its SHA-256,
 * so a Redis key stays bounded whatever the key; the {@code #} cannot start a non-hashed
 * encoding. The hot path of a simple string key (letters, digits, {@code :-_.}) allocates
 * nothing.
 *
 * <h2>Keys</h2>
 * A key is encoded by the rules of {@link KeyTypes}: values by their exact string form
 * (numbers and strings share it, so {@code 1L} and {@code "1"} are one key, as in Spring's
 * {@code RedisCache}; enums by name, so constants of two enums with the same name are one
 * key too), a class with a converter of the application by that converter, records as
 * {@code Name[c1,c2]}, lists as {@code [e1,e2]} and several parts as {@code p1,p2}, each
 * element encoded by the same rules. The brackets and commas are never part of an encoded
 * string, so a structured key cannot be mistaken for another key, whatever its parts
 * contain. A key whose string form cannot be trusted to tell it apart from other keys (no
 * {@code toString()} of its own, an array, a set, a map, a lambda) is refused with an
 * {@link InvalidCacheKeyException} that says how to give it one.
 *
 * <p>Instances are immutable and thread-safe; what they decide per key class is computed
 * once.
 */
public final class CacheKeyEncoder {

	/** Longest encoding kept as is; longer ones are hashed. */
	public static final int MAX_LENGTH = 256;

	private static final char[] HEX = "0123456789ABCDEF".toCharArray();

	private static final String SPECIAL = "%#{}*?[]\\|@,";

	/** Which ASCII characters pass through unencoded: a table, since every read scans its key. */
	private static final boolean[] PLAIN = new boolean[128];

	static {
		for (char c = 0x21; c < 0x7F; c++) {
			PLAIN[c] = SPECIAL.indexOf(c) < 0;
		}
	}

	/** A null part; {@code %} followed by a letter never starts a percent-encoded byte. */
	private static final String NULL_PART = "%null";

	/** A key made of no parts (a method without arguments). */
	private static final String NO_PARTS = "%empty";

	private static final CacheKeyEncoder DEFAULT = new CacheKeyEncoder(null);

	private final KeyTypes types;

	/**
	 * Creates an encoder.
	 * @param conversionService the application's conversion service, whose own converters
	 * to {@code String} give a string form to key classes that have none; null for none
	 */
	public CacheKeyEncoder(@Nullable ConversionService conversionService) {
		this.types = new KeyTypes(new KeyConverters(conversionService));
	}

	/**
	 * Returns the encoder that applies the default rules, without any converter of the
	 * application.
	 * @return the shared instance
	 */
	public static CacheKeyEncoder withoutConverters() {
		return DEFAULT;
	}

	/**
	 * Encodes a cache key with the default rules, without any converter of the application.
	 * @param key the key, not null
	 * @return its canonical encoding
	 * @throws InvalidCacheKeyException if the key has no string form that can be trusted
	 */
	public static String encodeKey(Object key) {
		return DEFAULT.key(key);
	}

	/**
	 * Encodes a cache key.
	 * @param key the key, not null
	 * @return its canonical encoding
	 * @throws InvalidCacheKeyException if the key has no string form that can be trusted
	 */
	public String key(Object key) {
		Assert.notNull(key, "Cache key must not be null");
		if (key instanceof String string) {
			return encode(string);
		}
		if (key instanceof Long || key instanceof Integer) {
			return encode(key.toString());
		}
		KeyType type = this.types.of(key.getClass());
		return switch (type.kind()) {
			case STRING_FORM -> encode(key.toString());
			case ENUM -> encode(((Enum<?>) key).name());
			case DATE -> encode(((Date) key).toInstant().toString());
			case CONVERTED -> encode(converted(key));
			case SIMPLE_KEY -> compositeKey(KeyTypes.simpleKeyParts((SimpleKey) key));
			case RECORD -> record(key, type);
			case LIST -> list((List<?>) key);
			case REFUSED -> throw refused(key.getClass(), type.refusal(), null);
		};
	}

	/**
	 * Encodes several key parts (a method's arguments) as one key, each part encoded on its
	 * own and separated by commas, which no encoded part contains outside brackets; a null
	 * part has an encoding of its own, and so has a key of no parts.
	 * @param parts the parts
	 * @return the encoding
	 * @throws InvalidCacheKeyException if a part has no string form that can be trusted
	 */
	public String compositeKey(@Nullable Object[] parts) {
		if (parts.length == 0) {
			return NO_PARTS;
		}
		StringBuilder sb = new StringBuilder(16 * parts.length);
		for (int i = 0; i < parts.length; i++) {
			if (i > 0) {
				sb.append(',');
			}
			sb.append(part(parts[i]));
		}
		return bound(sb.toString());
	}

	/**
	 * Returns why no value of a declared type (a method parameter's) could ever be used as
	 * a key, or null if some could.
	 * @param declaredType the declared type
	 * @return the reason and how to fix it, or null
	 */
	public @Nullable String neverEncodable(Class<?> declaredType) {
		String reason = this.types.neverEncodable(declaredType);
		return (reason != null) ? message(declaredType, reason) : null;
	}

	private String part(@Nullable Object part) {
		return (part != null) ? key(part) : NULL_PART;
	}

	private String list(List<?> list) {
		StringBuilder sb = new StringBuilder(2 + 16 * list.size()).append('[');
		int i = 0;
		for (Object element : list) {
			if (i++ > 0) {
				sb.append(',');
			}
			sb.append(part(element));
		}
		return bound(sb.append(']').toString());
	}

	private String record(Object record, KeyType type) {
		Method[] accessors = type.accessors();
		StringBuilder sb = new StringBuilder(16 + 16 * accessors.length).append(encode(type.recordName())).append('[');
		for (int i = 0; i < accessors.length; i++) {
			if (i > 0) {
				sb.append(',');
			}
			sb.append(part(ReflectionUtils.invokeMethod(accessors[i], record)));
		}
		return bound(sb.append(']').toString());
	}

	private String converted(Object key) {
		String converted;
		try {
			converted = this.types.converters().convert(key);
		}
		catch (RuntimeException ex) {
			// The converter's message may hold the key: only the class is named.
			throw refused(key.getClass(), "its converter to String failed (" + ex.getClass().getSimpleName() + ")",
					ex);
		}
		if (converted == null) {
			throw refused(key.getClass(), "its converter to String returned null", null);
		}
		return converted;
	}

	private static InvalidCacheKeyException refused(Class<?> keyClass, String reason, @Nullable Throwable cause) {
		return new InvalidCacheKeyException(keyClass, message(keyClass, reason), cause);
	}

	private static String message(Class<?> keyClass, String reason) {
		String name = keyClass.getTypeName();
		if (keyClass.isArray()) {
			return "A cache key of class " + name + " cannot be used: " + reason + ". Use a key expression that "
					+ "turns it into a List (such as key = \"T(java.util.Arrays).asList(#p0)\"), or a List parameter";
		}
		return "A cache key of class " + name + " cannot be used: " + reason + ". Give the key a string form "
				+ "that tells keys apart: a key expression (such as @ReadThrough(key = \"#p.id\")), a toString() "
				+ "unique to each key, or a Converter<" + name + ", String> registered in the application's "
				+ "ConversionService";
	}

	/**
	 * Encodes the name of a versioned group: {@code @} and the encoded name. No encoded tag
	 * starts with {@code @}, so groups and tags can travel together in an entry's tags.
	 * @param group the group name
	 * @return its encoding
	 */
	public static String encodeGroup(String group) {
		return '@' + encode(group);
	}

	/**
	 * Encodes a string.
	 * @param raw the string
	 * @return the canonical encoding
	 */
	public static String encode(String raw) {
		int length = raw.length();
		if (length <= MAX_LENGTH) {
			boolean plain = true;
			for (int i = 0; i < length && plain; i++) {
				plain = isPlain(raw.charAt(i));
			}
			if (plain) {
				return raw;
			}
		}
		return bound(percentEncode(raw));
	}

	private static String bound(String encoded) {
		return (encoded.length() <= MAX_LENGTH) ? encoded : hash(encoded);
	}

	private static boolean isPlain(char c) {
		return c < 0x80 && PLAIN[c];
	}

	private static String percentEncode(String raw) {
		StringBuilder sb = new StringBuilder(raw.length() + 16);
		byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
		for (byte b : bytes) {
			char c = (char) (b & 0xFF);
			if (b >= 0 && isPlain(c)) {
				sb.append(c);
			}
			else {
				sb.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
			}
		}
		return sb.toString();
	}

	private static String hash(String encoded) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(encoded.getBytes(StandardCharsets.UTF_8));
			return "#" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is not available", ex);
		}
	}

}
