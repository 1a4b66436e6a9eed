package dev.tieredcache.warmup;

import java.time.Duration;

import org.springframework.util.Assert;

/**
 * Effective warm-start settings of one cache, from {@code tiered-cache.caches.<name>.warm-start.*}
 * and {@code tiered-cache.defaults.warm-start.*}.
 *
 * @param enabled whether instances record the cache's most read keys in Redis and a
 * starting instance copies their entries into its L1 before it reports ready
 * @param keys how many keys the record keeps, and a starting instance copies at most
 * @param timeout the longest a starting instance spends copying the cache's entries
 */
public record WarmStartSettings(boolean enabled, int keys, Duration timeout) {

	/** The built-in defaults: off, 500 keys, 5 seconds. */
	public static final WarmStartSettings DEFAULTS = new WarmStartSettings(false, 500, Duration.ofSeconds(5));

	public WarmStartSettings {
		Assert.isTrue(keys > 0, "keys must be positive");
		Assert.isTrue(timeout != null && !timeout.isNegative() && !timeout.isZero(), "timeout must be positive");
	}

}
