package dev.tieredcache.sample;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the sample itself, bound from {@code sample.*}.
 */
@ConfigurationProperties("sample")
public class SampleProperties {

	/**
	 * Artificial latency added to every database query, so that the cache's effect is
	 * visible on a database that would otherwise answer in microseconds.
	 */
	private Duration dbLatency = Duration.ofMillis(50);

	public Duration getDbLatency() {
		return this.dbLatency;
	}

	public void setDbLatency(Duration dbLatency) {
		this.dbLatency = dbLatency;
	}

}
