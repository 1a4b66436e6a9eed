package dev.tieredcache.redis;

import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

/**
 * A message on the invalidation channel: {@code kind|instance|subject|detail}.
 *
 * <ul>
 * <li>{@code K|i|cache|key}: a key was written or evicted (L1 drops it);</li>
 * <li>{@code C|i|cache|epoch}: a cache was cleared;</li>
 * <li>{@code T|i|tag|version}, {@code G|i|group|version}: a tag or group moved on;</li>
 * <li>{@code F|i|cache|entryId}: a load finished; waiters on the key wake up.</li>
 * </ul>
 *
 * Subjects are encoded names and never contain {@code |}; the detail is the rest.
 *
 * @param kind the message kind
 * @param instance the sending instance
 * @param subject the cache, tag or group name
 * @param detail the key, version or entry id
 */
public record InvalidationMessage(char kind, String instance, String subject, String detail) {

	/** A key was written or evicted. */
	public static final char KEY = 'K';

	/** A cache was cleared. */
	public static final char CLEAR = 'C';

	/** A tag was invalidated. */
	public static final char TAG = 'T';

	/** A group was bumped. */
	public static final char GROUP = 'G';

	/** A load finished. */
	public static final char FILLED = 'F';

	/**
	 * Formats a message; for version messages the detail is left empty so that the script
	 * appends the new version.
	 * @return the bytes to publish
	 */
	public byte[] toBytes() {
		return (this.kind + "|" + this.instance + "|" + this.subject + "|" + this.detail)
			.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Parses a message.
	 * @param bytes the published bytes
	 * @return the message, or null if it is not one
	 */
	public static @Nullable InvalidationMessage parse(byte[] bytes) {
		String text = new String(bytes, StandardCharsets.UTF_8);
		if (text.length() < 2 || text.charAt(1) != '|') {
			return null;
		}
		int second = text.indexOf('|', 2);
		int third = (second < 0) ? -1 : text.indexOf('|', second + 1);
		if (third < 0) {
			return null;
		}
		return new InvalidationMessage(text.charAt(0), text.substring(2, second), text.substring(second + 1, third),
				text.substring(third + 1));
	}

}
