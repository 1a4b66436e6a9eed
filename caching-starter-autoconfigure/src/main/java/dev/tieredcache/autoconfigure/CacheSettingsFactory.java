package dev.tieredcache.autoconfigure;

import java.time.Duration;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.unit.DataSize;

import dev.tieredcache.audit.AuditSettings;
import dev.tieredcache.autoconfigure.TieredCacheProperties.CacheSpec;
import dev.tieredcache.cache.CacheSettings;
import dev.tieredcache.existence.BloomSizing;
import dev.tieredcache.schema.SchemaChoice;
import dev.tieredcache.warmup.WarmStartSettings;
import dev.tieredcache.writebehind.WriteBehindSettings;

/**
 * Turns {@code tiered-cache.defaults} and {@code tiered-cache.caches.<name>} into the
 * effective {@link CacheSettings} of each cache: a cache's own setting, else the
 * configured default, else the built-in default. Invalid values fail with an
 * {@link InvalidConfigurationPropertyValueException} that names the property.
 */
final class CacheSettingsFactory implements Function<String, CacheSettings> {

	private static final String PREFIX = "tiered-cache.";

	private final TieredCacheProperties properties;

	CacheSettingsFactory(TieredCacheProperties properties) {
		this.properties = properties;
	}

	private static final DataSize DEFAULT_COMPRESSION_THRESHOLD = DataSize.ofKilobytes(2);

	private static final int DEFAULT_HOT_KEYS_TOP = 10;

	private static final int MAX_HOT_KEYS_TOP = 1000;

	private static final long DEFAULT_EXPECTED_KEYS = 1_000_000;

	private static final double DEFAULT_FALSE_POSITIVE_RATE = 0.01;

	private static final double MAX_FALSE_POSITIVE_RATE = 0.5;

	/** Checks the defaults and every configured cache, so errors surface at start-up. */
	void validateAll() {
		apply(null);
		writeBehind(null);
		warmStart(null);
		this.properties.getCaches().keySet().forEach(this::apply);
		this.properties.getCaches().keySet().forEach(this::writeBehind);
		this.properties.getCaches().keySet().forEach(this::schema);
		schema("");
		this.properties.getCaches().keySet().forEach(this::warmStart);
	}

	/**
	 * Returns the effective write-behind settings of a cache.
	 * @param name the cache name, or null for the defaults
	 * @return the settings
	 */
	WriteBehindSettings writeBehind(@Nullable String name) {
		CacheSpec spec = (name != null) ? this.properties.getCaches().get(name) : null;
		String path = (spec != null) ? PREFIX + "caches." + name + "." : PREFIX + "defaults.";
		Resolver r = new Resolver(spec, this.properties.getDefaults(), path);
		WriteBehindSettings builtIn = WriteBehindSettings.DEFAULTS;
		Duration interval = r.positive("write-behind.flush-interval", (s) -> s.getWriteBehind().getFlushInterval(),
				builtIn.flushInterval());
		int batchSize = r.pick("write-behind.batch-size", (s) -> s.getWriteBehind().getBatchSize(),
				builtIn.batchSize());
		if (batchSize < 1) {
			throw new InvalidConfigurationPropertyValueException(
					r.source("write-behind.batch-size", (s) -> s.getWriteBehind().getBatchSize()), batchSize,
					"Must be at least 1");
		}
		int maxAttempts = r.pick("write-behind.max-attempts", (s) -> s.getWriteBehind().getMaxAttempts(),
				builtIn.maxAttempts());
		if (maxAttempts < 1) {
			throw new InvalidConfigurationPropertyValueException(
					r.source("write-behind.max-attempts", (s) -> s.getWriteBehind().getMaxAttempts()), maxAttempts,
					"Must be at least 1");
		}
		Duration backoff = r.positive("write-behind.backoff", (s) -> s.getWriteBehind().getBackoff(),
				builtIn.backoff());
		Duration claimAfter = r.positive("write-behind.claim-after", (s) -> s.getWriteBehind().getClaimAfter(),
				builtIn.claimAfter());
		return new WriteBehindSettings(interval, batchSize, maxAttempts, backoff, claimAfter);
	}

	/**
	 * Returns the effective warm-start settings of a cache.
	 * @param name the cache name, or null for the defaults
	 * @return the settings
	 */
	WarmStartSettings warmStart(@Nullable String name) {
		CacheSpec spec = (name != null) ? this.properties.getCaches().get(name) : null;
		String path = (spec != null) ? PREFIX + "caches." + name + "." : PREFIX + "defaults.";
		Resolver r = new Resolver(spec, this.properties.getDefaults(), path);
		WarmStartSettings builtIn = WarmStartSettings.DEFAULTS;
		boolean enabled = r.pick("warm-start.enabled", (s) -> s.getWarmStart().getEnabled(), builtIn.enabled());
		int keys = r.pick("warm-start.keys", (s) -> s.getWarmStart().getKeys(), builtIn.keys());
		if (keys < 1 || keys > MAX_HOT_KEYS_TOP) {
			throw new InvalidConfigurationPropertyValueException(
					r.source("warm-start.keys", (s) -> s.getWarmStart().getKeys()), keys,
					"Must be between 1 and " + MAX_HOT_KEYS_TOP);
		}
		Duration timeout = r.positive("warm-start.timeout", (s) -> s.getWarmStart().getTimeout(), builtIn.timeout());
		if (enabled && !r.pick("hot-keys.enabled", (s) -> s.getHotKeys().getEnabled(), true)) {
			throw new InvalidConfigurationPropertyValueException(
					r.source("hot-keys.enabled", (s) -> s.getHotKeys().getEnabled()), false,
					"Warm start (" + r.source("warm-start.enabled", (s) -> s.getWarmStart().getEnabled())
							+ ") needs hot-key tracking on: it records the keys the sketch ranks");
		}
		return new WarmStartSettings(enabled, keys, timeout);
	}

	@Override
	public CacheSettings apply(@Nullable String name) {
		CacheSpec spec = (name != null) ? this.properties.getCaches().get(name) : null;
		CacheSpec defaults = this.properties.getDefaults();
		String path = (spec != null) ? PREFIX + "caches." + name + "." : PREFIX + "defaults.";
		CacheSettings builtIn = CacheSettings.DEFAULTS;
		Resolver r = new Resolver(spec, defaults, path);
		Duration ttl = r.positive("ttl", CacheSpec::getTtl, builtIn.ttl());
		double jitter = r.pick("jitter", CacheSpec::getJitter, builtIn.jitter());
		if (jitter < 0 || jitter > 1) {
			throw new InvalidConfigurationPropertyValueException(r.source("jitter", CacheSpec::getJitter), jitter,
					"Jitter must be between 0 and 1");
		}
		Duration nullTtl = r.notNegative("null-ttl", CacheSpec::getNullTtl, builtIn.nullTtl());
		Duration swr = r.notNegative("stale-while-revalidate", CacheSpec::getStaleWhileRevalidate,
				builtIn.staleWhileRevalidate());
		DataSize maxValueSize = r.pick("max-value-size", CacheSpec::getMaxValueSize,
				DataSize.ofBytes(builtIn.maxValueSize()));
		if (maxValueSize.toBytes() <= 0) {
			throw new InvalidConfigurationPropertyValueException(
					r.source("max-value-size", CacheSpec::getMaxValueSize), maxValueSize, "Must be positive");
		}
		boolean localEnabled = r.pick("local.enabled", (s) -> s.getLocal().getEnabled(), builtIn.localEnabled());
		Duration localTtl = r.positive("local.ttl", (s) -> s.getLocal().getTtl(), builtIn.localTtl());
		if (!this.properties.getRedis().isEnabled()) {
			// L1-only mode: L1 is the only tier, so it keeps entries as long as Redis would.
			localEnabled = true;
			localTtl = ttl;
		}
		if (localEnabled && localTtl.compareTo(ttl) > 0) {
			throw new InvalidConfigurationPropertyValueException(r.source("local.ttl", (s) -> s.getLocal().getTtl()),
					localTtl, "The local (L1) TTL must not be longer than the Redis TTL (" + ttl + ")");
		}
		long maximumSize = r.pick("local.maximum-size", (s) -> s.getLocal().getMaximumSize(),
				builtIn.localMaximumSize());
		if (maximumSize < 0) {
			throw new InvalidConfigurationPropertyValueException(
					r.source("local.maximum-size", (s) -> s.getLocal().getMaximumSize()), maximumSize,
					"Must not be negative");
		}
		boolean stampede = r.pick("stampede.enabled", (s) -> s.getStampede().getEnabled(), builtIn.stampedeEnabled());
		Duration lease = r.positive("stampede.lease", (s) -> s.getStampede().getLease(), builtIn.lease());
		Duration waitTimeout = r.notNegative("stampede.wait-timeout", (s) -> s.getStampede().getWaitTimeout(),
				builtIn.waitTimeout());
		double beta = r.pick("early-refresh.beta", (s) -> s.getEarlyRefresh().getBeta(), builtIn.earlyRefreshBeta());
		if (beta < 0) {
			throw new InvalidConfigurationPropertyValueException(
					r.source("early-refresh.beta", (s) -> s.getEarlyRefresh().getBeta()), beta, "Must not be negative");
		}
		boolean compress = r.pick("compression.enabled", (s) -> s.getCompression().getEnabled(), false);
		DataSize threshold = r.pick("compression.threshold", (s) -> s.getCompression().getThreshold(),
				DEFAULT_COMPRESSION_THRESHOLD);
		if (threshold.toBytes() <= 0) {
			throw new InvalidConfigurationPropertyValueException(
					r.source("compression.threshold", (s) -> s.getCompression().getThreshold()), threshold,
					"Must be positive");
		}
		Duration staleIfError = r.notNegative("stale-if-error", CacheSpec::getStaleIfError, builtIn.staleIfError());
		Duration backoff = r.positive("stale-if-error-backoff", CacheSpec::getStaleIfErrorBackoff,
				builtIn.staleIfErrorBackoff());
		boolean hotKeys = r.pick("hot-keys.enabled", (s) -> s.getHotKeys().getEnabled(), builtIn.hotKeysTop() > 0);
		int top = r.pick("hot-keys.top", (s) -> s.getHotKeys().getTop(), DEFAULT_HOT_KEYS_TOP);
		if (top < 1 || top > MAX_HOT_KEYS_TOP) {
			throw new InvalidConfigurationPropertyValueException(
					r.source("hot-keys.top", (s) -> s.getHotKeys().getTop()), top,
					"Must be between 1 and " + MAX_HOT_KEYS_TOP);
		}
		int sampleRate = r.pick("hot-keys.sample-rate", (s) -> s.getHotKeys().getSampleRate(),
				builtIn.hotKeysSampleRate());
		if (sampleRate < 1) {
			throw new InvalidConfigurationPropertyValueException(
					r.source("hot-keys.sample-rate", (s) -> s.getHotKeys().getSampleRate()), sampleRate,
					"Must be at least 1");
		}
		BloomSizing existenceFilter = existenceFilter(r, spec);
		WarmStartSettings warmStart = warmStart(name);
		// Warm start records more of the most read keys than the endpoint shows: the sketch
		// must rank that many.
		int tracked = warmStart.enabled() ? Math.max(top, warmStart.keys()) : top;
		return new CacheSettings(ttl, jitter, nullTtl, swr, maxValueSize.toBytes(), localEnabled, localTtl,
				maximumSize, stampede, lease, waitTimeout, beta,
				compress ? threshold.toBytes() : CacheSettings.NO_COMPRESSION, staleIfError, backoff,
				hotKeys ? top : 0, sampleRate, hotKeys ? tracked : 0, existenceFilter, audit(r, builtIn.audit()));
	}

	/**
	 * Returns how the schema of a cache is chosen.
	 * @param name the cache name
	 * @return the explicit version, or null, and whether a fingerprint is used without one
	 */
	SchemaChoice schema(String name) {
		CacheSpec spec = this.properties.getCaches().get(name);
		Resolver r = new Resolver(spec, this.properties.getDefaults(), PREFIX + "caches." + name + ".");
		String version = r.pick("schema.version", (s) -> s.getSchema().getVersion(), "");
		if (version.isBlank() && !version.isEmpty()) {
			throw new InvalidConfigurationPropertyValueException(
					r.source("schema.version", (s) -> s.getSchema().getVersion()), version, "Must not be blank");
		}
		boolean fingerprint = r.pick("schema.fingerprint", (s) -> s.getSchema().getFingerprint(), true);
		return new SchemaChoice(version.isEmpty() ? null : version, fingerprint);
	}

	/** The size of a cache's existence filter, or null when it has none. */
	private @Nullable BloomSizing existenceFilter(Resolver r, @Nullable CacheSpec spec) {
		Boolean byDefault = this.properties.getDefaults().getExistenceFilter().getEnabled();
		if (Boolean.TRUE.equals(byDefault)) {
			throw new InvalidConfigurationPropertyValueException(PREFIX + "defaults.existence-filter.enabled",
					byDefault, "The existence filter is enabled per cache, each with its own ExistingKeys bean: "
							+ "set tiered-cache.caches.<name>.existence-filter.enabled instead");
		}
		long expected = r.pick("existence-filter.expected-keys", (s) -> s.getExistenceFilter().getExpectedKeys(),
				DEFAULT_EXPECTED_KEYS);
		String expectedSource = r.source("existence-filter.expected-keys",
				(s) -> s.getExistenceFilter().getExpectedKeys());
		if (expected < 1) {
			throw new InvalidConfigurationPropertyValueException(expectedSource, expected, "Must be at least 1");
		}
		double rate = r.pick("existence-filter.false-positive-rate",
				(s) -> s.getExistenceFilter().getFalsePositiveRate(), DEFAULT_FALSE_POSITIVE_RATE);
		String rateSource = r.source("existence-filter.false-positive-rate",
				(s) -> s.getExistenceFilter().getFalsePositiveRate());
		if (!(rate > 0 && rate <= MAX_FALSE_POSITIVE_RATE)) {
			throw new InvalidConfigurationPropertyValueException(rateSource, rate,
					"Must be more than 0 and at most " + MAX_FALSE_POSITIVE_RATE);
		}
		long bits = BloomSizing.bitsFor(expected, rate);
		if (bits > BloomSizing.MAX_BITS) {
			throw new InvalidConfigurationPropertyValueException(expectedSource, expected, "The filter would need "
					+ bits + " bits at a false-positive rate of " + rate + " (" + rateSource
					+ "), more than a Redis string holds (2^32 bits, 512 MB)");
		}
		boolean enabled = spec != null && Boolean.TRUE.equals(spec.getExistenceFilter().getEnabled());
		return enabled ? BloomSizing.of(expected, rate) : null;
	}

	private static AuditSettings audit(Resolver r, AuditSettings builtIn) {
		boolean enabled = r.pick("audit.enabled", (s) -> s.getAudit().getEnabled(), builtIn.enabled());
		Duration interval = r.positive("audit.interval", (s) -> s.getAudit().getInterval(), builtIn.interval());
		int sampleSize = r.pick("audit.sample-size", (s) -> s.getAudit().getSampleSize(), builtIn.sampleSize());
		if (sampleSize < 1) {
			throw new InvalidConfigurationPropertyValueException(
					r.source("audit.sample-size", (s) -> s.getAudit().getSampleSize()), sampleSize,
					"Must be at least 1");
		}
		boolean repair = r.pick("audit.repair", (s) -> s.getAudit().getRepair(), builtIn.repair());
		return new AuditSettings(enabled, interval, sampleSize, repair);
	}

	/** Picks a setting from the cache, the defaults or the built-in value. */
	private record Resolver(@Nullable CacheSpec spec, CacheSpec defaults, String path) {

		<T> T pick(String property, Function<CacheSpec, @Nullable T> getter, T builtIn) {
			T own = (this.spec != null) ? getter.apply(this.spec) : null;
			if (own != null) {
				return own;
			}
			T inherited = getter.apply(this.defaults);
			return (inherited != null) ? inherited : builtIn;
		}

		/** Returns the full name of the property the value came from. */
		String source(String property, Function<CacheSpec, ?> getter) {
			boolean own = this.spec != null && getter.apply(this.spec) != null;
			return own ? this.path + property : PREFIX + "defaults." + property;
		}

		Duration notNegative(String property, Function<CacheSpec, @Nullable Duration> getter, Duration builtIn) {
			Duration value = pick(property, getter, builtIn);
			if (value.isNegative()) {
				throw new InvalidConfigurationPropertyValueException(source(property, getter), value,
						"Must not be negative");
			}
			return value;
		}

		Duration positive(String property, Function<CacheSpec, @Nullable Duration> getter, Duration builtIn) {
			Duration value = pick(property, getter, builtIn);
			if (value.isNegative() || value.isZero()) {
				throw new InvalidConfigurationPropertyValueException(source(property, getter), value,
						"Must be positive");
			}
			return value;
		}

	}

}
