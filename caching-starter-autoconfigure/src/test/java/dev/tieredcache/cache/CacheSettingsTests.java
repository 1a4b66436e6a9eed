package dev.tieredcache.cache;

import java.time.Duration;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TTL jitter stretches a TTL by up to the configured fraction, never shortens it.
 */
class CacheSettingsTests {

	@RepeatedTest(20)
	void jitterStretchesTheTtlWithinTheFraction() {
		CacheSettings settings = withJitter(0.1);
		long ttl = settings.jitteredMillis(Duration.ofSeconds(100));
		assertThat(ttl).isBetween(100_000L, 110_000L);
	}

	@Test
	void noJitterKeepsTheTtl() {
		assertThat(withJitter(0).jitteredMillis(Duration.ofSeconds(5))).isEqualTo(5_000L);
	}

	@Test
	void nullsUseTheNullTtl() {
		assertThat(CacheSettings.DEFAULTS.baseTtl(true)).isEqualTo(CacheSettings.DEFAULTS.nullTtl());
		assertThat(CacheSettings.DEFAULTS.baseTtl(false)).isEqualTo(CacheSettings.DEFAULTS.ttl());
	}

	private static CacheSettings withJitter(double jitter) {
		CacheSettings d = CacheSettings.DEFAULTS;
		return new CacheSettings(d.ttl(), jitter, d.nullTtl(), d.staleWhileRevalidate(), d.maxValueSize(),
				d.localEnabled(), d.localTtl(), d.localMaximumSize(), d.stampedeEnabled(), d.lease(), d.waitTimeout(),
				d.earlyRefreshBeta(), d.compressionThreshold(), d.staleIfError(), d.staleIfErrorBackoff(),
				d.hotKeysTop(), d.hotKeysSampleRate(), d.hotKeysTracked(), d.existenceFilter(), d.audit());
	}

}
