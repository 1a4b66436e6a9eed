package dev.tieredcache.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The stable hash by which a key is shown where the key itself must not be: the first 16
 * hex digits (64 bits) of the SHA-256 of the encoded key in UTF-8. The same key has the same
 * hash on every instance and across restarts, so an operator can compute the hash of a key
 * they know ({@code printf %s KEY | sha256sum | cut -c1-16}) and find it.
 */
public final class HotKeyHash {

	private HotKeyHash() {
	}

	/**
	 * Returns the hash of an encoded key.
	 * @param encodedKey the key as both tiers store it
	 * @return 16 lower-case hex digits
	 */
	public static String of(String encodedKey) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(encodedKey.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest, 0, 8);
		}
		catch (NoSuchAlgorithmException ex) {
			// Every Java platform has SHA-256.
			throw new IllegalStateException(ex);
		}
	}

}
