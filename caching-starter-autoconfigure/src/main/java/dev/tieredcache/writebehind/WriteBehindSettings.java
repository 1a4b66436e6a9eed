package dev.tieredcache.writebehind;

import java.time.Duration;

import org.springframework.util.Assert;

/**
 * The write-behind settings of one cache, from
 * {@code tiered-cache.caches.<name>.write-behind.*} and
 * {@code tiered-cache.defaults.write-behind.*}.
 *
 * @param flushInterval how often the flusher of each instance looks for due writes
 * @param batchSize most writes one flush round claims, and one {@code flushAll} call gets
 * @param maxAttempts failed flushes of a write before it goes to the dead letters
 * @param backoff wait after the first failed flush, doubled after each further one
 * @param claimAfter lease of a flusher's claim: a write claimed by an instance that died
 * is taken over by another after it
 */
public record WriteBehindSettings(Duration flushInterval, int batchSize, int maxAttempts, Duration backoff,
		Duration claimAfter) {

	/** The built-in defaults. */
	public static final WriteBehindSettings DEFAULTS = new WriteBehindSettings(Duration.ofSeconds(1), 100, 5,
			Duration.ofSeconds(1), Duration.ofSeconds(30));

	public WriteBehindSettings {
		Assert.isTrue(batchSize >= 1 && maxAttempts >= 1, "batch size and max attempts must be at least 1");
	}

	/**
	 * Returns the wait before the next flush of a write that failed.
	 * @param failures how many flushes of it failed, at least 1
	 * @return the back-off, doubled per failure, at most a day
	 */
	public Duration backoffAfter(int failures) {
		long millis = this.backoff.toMillis();
		for (int i = 1; i < failures && millis < Duration.ofDays(1).toMillis(); i++) {
			millis *= 2;
		}
		return Duration.ofMillis(Math.min(millis, Duration.ofDays(1).toMillis()));
	}

}
