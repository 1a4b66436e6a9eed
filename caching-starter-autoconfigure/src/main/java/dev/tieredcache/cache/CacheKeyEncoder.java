package dev.tieredcache.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

import org.springframework.util.Assert;

/**
 * Turns cache keys, tags and names into the canonical strings used in both tiers, in
 * Redis key names and in invalidation messages.
 *
 * <p>The encoding is injective: printable ASCII passes through, except the characters the
 * Redis key layout or messages give a meaning to ({@code % # { } * ? [ ] \ | @ ,}),
 * which are percent-encoded with everything else (spaces, control characters, non-ASCII
 * as UTF-8). An encoding longer than {@value #MAX_LENGTH} characters is replaced by
 * {@code #} and the Base64 of its SHA-256, so a Redis key stays bounded whatever the key;
 * the {@code #} cannot start a non-hashed encoding. The hot path of a simple key (letters,
 * digits, {@code :-_.}) allocates nothing.
 */
public final class CacheKeyEncoder {

	/** Longest encoding kept as is; longer ones are hashed. */
	public static final int MAX_LENGTH = 256;

	private static final char[] HEX = "0123456789ABCDEF".toCharArray();

	private static final String SPECIAL = "%#{}*?[]\\|@,";

	private CacheKeyEncoder() {
	}

	/**
	 * Encodes a cache key: strings, numbers, booleans, characters, enums (by name) and
	 * other values by their {@code toString()}, which must then be stable and unique.
	 * @param key the key, not null
	 * @return its canonical encoding
	 */
	public static String encodeKey(Object key) {
		Assert.notNull(key, "Cache key must not be null");
		if (key instanceof String string) {
			return encode(string);
		}
		if (key instanceof Enum<?> e) {
			return encode(e.name());
		}
		return encode(key.toString());
	}

	/**
	 * Encodes several key parts as one key, each part encoded on its own so that parts
	 * cannot run into each other.
	 * @param parts the parts
	 * @return the encoding
	 */
	public static String encodeComposite(Object[] parts) {
		StringBuilder sb = new StringBuilder(16 * parts.length);
		for (int i = 0; i < parts.length; i++) {
			if (i > 0) {
				sb.append(',');
			}
			Object part = parts[i];
			sb.append((part != null) ? encodeKey(part) : "%00null");
		}
		return bound(sb.toString());
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
		return c > 0x20 && c < 0x7F && SPECIAL.indexOf(c) < 0;
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
