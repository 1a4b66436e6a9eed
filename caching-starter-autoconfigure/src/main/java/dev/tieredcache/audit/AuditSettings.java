package dev.tieredcache.audit;

import java.time.Duration;

import org.springframework.util.Assert;

/**
 * Effective drift-audit settings of one cache ({@code tiered-cache.caches.<name>.audit.*}).
 *
 * @param enabled whether hits of the cache are audited
 * @param interval the period over which at most {@code sampleSize} audits run, and at most
 * {@link DriftAudit#LOGGED_PER_INTERVAL} differences are logged
 * @param sampleSize the most audits started per interval on one instance
 * @param repair whether a cached value found to differ from the loader's is replaced
 */
public record AuditSettings(boolean enabled, Duration interval, int sampleSize, boolean repair) {

	/** Audits off: the built-in default. */
	public static final AuditSettings OFF = new AuditSettings(false, Duration.ofMinutes(1), 10, false);

	public AuditSettings {
		Assert.notNull(interval, "interval must not be null");
		Assert.isTrue(!interval.isNegative() && !interval.isZero(), "interval must be positive");
		Assert.isTrue(sampleSize > 0, "sampleSize must be positive");
	}

}
