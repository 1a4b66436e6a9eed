package dev.tieredcache.redis;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;

/**
 * Logs a WARN message at most once per period for each subject, so that a dead Redis
 * under load does not flood the log.
 */
public final class RateLimitedLog {

	private final Log log;

	private final long periodNanos;

	private final Map<String, Long> lastLogged = new ConcurrentHashMap<>();

	public RateLimitedLog(Log log, Duration period) {
		this.log = log;
		this.periodNanos = period.toNanos();
	}

	/**
	 * Logs the message at WARN unless the subject was logged within the period.
	 * @param subject what the message is about (an operation or a cache name)
	 * @param message the message; must not hold keys or values
	 */
	public void warn(String subject, Supplier<String> message) {
		if (!this.log.isWarnEnabled()) {
			return;
		}
		long now = System.nanoTime();
		Long last = this.lastLogged.get(subject);
		if (last != null && now - last < this.periodNanos) {
			return;
		}
		if ((last == null) ? this.lastLogged.putIfAbsent(subject, now) == null
				: this.lastLogged.replace(subject, last, now)) {
			this.log.warn(message.get());
		}
	}

}
