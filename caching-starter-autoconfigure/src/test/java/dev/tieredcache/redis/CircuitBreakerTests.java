package dev.tieredcache.redis;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The circuit opens after consecutive failures only, and only an explicit close (the
 * probe's) closes it.
 */
class CircuitBreakerTests {

	private final CircuitBreaker circuit = new CircuitBreaker(3, Duration.ofSeconds(1));

	@Test
	void opensAfterTheThresholdOfConsecutiveFailures() {
		assertThat(this.circuit.recordFailure()).isFalse();
		assertThat(this.circuit.recordFailure()).isFalse();
		assertThat(this.circuit.isOpen()).isFalse();
		assertThat(this.circuit.recordFailure()).as("the failure that opens it says so").isTrue();
		assertThat(this.circuit.isOpen()).isTrue();
		assertThat(this.circuit.recordFailure()).as("already open").isFalse();
	}

	@Test
	void aSuccessResetsTheCount() {
		this.circuit.recordFailure();
		this.circuit.recordFailure();
		this.circuit.recordSuccess();
		this.circuit.recordFailure();
		this.circuit.recordFailure();
		assertThat(this.circuit.isOpen()).isFalse();
	}

	@Test
	void closesOnlyWhenTold() {
		this.circuit.forceOpen();
		this.circuit.recordSuccess();
		assertThat(this.circuit.isOpen()).isTrue();
		assertThat(this.circuit.close()).isTrue();
		assertThat(this.circuit.isOpen()).isFalse();
		assertThat(this.circuit.close()).isFalse();
	}

}
