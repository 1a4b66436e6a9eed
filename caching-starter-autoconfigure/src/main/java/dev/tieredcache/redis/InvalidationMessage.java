package dev.tieredcache.redis;

import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

/**
 * A message on the invalidation channel: {@code kind|instance|sequence|subject|detail}.
 *
 * <ul>
 * <li>{@code K|i|n|cache|key}: a key was written or evicted (L1 drops it);</li>
 * <li>{@code C|i|n|cache|epoch}: a cache was cleared;</li>
 * <li>{@code T|i|n|tag|version}, {@code G|i|n|group|version}: a tag or group moved on;</li>
 * <li>{@code H|i|n||}: a heartbeat: the sender's last sequence number so far;</li>
 * <li>{@code F|i|0|cache|entryId}: a load finished; waiters on the key wake up.</li>
 * </ul>
 *
 * Every invalidation carries the publishing instance's sequence number (1, 2, 3, ...), so a
 * receiver can tell that a message was lost ({@link MessageSequences}); heartbeats let it
 * tell even when the lost message was the sender's last. Load notifications are not
 * numbered: losing one costs a waiter its wait timeout, never a stale value. Subjects are
 * encoded names and never contain {@code |}; the detail is the rest.
 *
 * @param kind the message kind
 * @param instance the sending instance
 * @param sequence the sender's sequence number of this message, 0 when not numbered
 * @param subject the cache, tag or group name
 * @param detail the key, version or entry id
 */
public record InvalidationMessage(char kind, String instance, long sequence, String subject, String detail) {

	/** A key was written or evicted. */
	public static final char KEY = 'K';

	/** A cache was cleared. */
	public static final char CLEAR = 'C';

	/** A tag was invalidated. */
	public static final char TAG = 'T';

	/** A group was bumped. */
	public static final char GROUP = 'G';

	/** A heartbeat: the sender's latest sequence number. */
	public static final char HEARTBEAT = 'H';

	/** A load finished. */
	public static final char FILLED = 'F';

	/**
	 * Formats a message; for version messages the detail is left empty so that the script
	 * appends the new version.
	 * @return the bytes to publish
	 */
	public byte[] toBytes() {
		return (this.kind + "|" + this.instance + "|" + this.sequence + "|" + this.subject + "|" + this.detail)
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
		int fourth = (third < 0) ? -1 : text.indexOf('|', third + 1);
		if (fourth < 0) {
			return null;
		}
		long sequence;
		try {
			sequence = Long.parseLong(text, second + 1, third, 10);
		}
		catch (NumberFormatException ex) {
			return null;
		}
		return new InvalidationMessage(text.charAt(0), text.substring(2, second), sequence,
				text.substring(third + 1, fourth), text.substring(fourth + 1));
	}

}
