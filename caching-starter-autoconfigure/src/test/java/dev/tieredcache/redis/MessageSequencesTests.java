package dev.tieredcache.redis;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lost messages are told from reordered ones by their sequence numbers and a grace period.
 */
class MessageSequencesTests {

	private final AtomicLong now = new AtomicLong();

	private final MessageSequences sequences = new MessageSequences(100, 500, 10_000, this.now::get);

	@Test
	void numbersInOrderAreNoLoss() {
		for (long n = 1; n <= 5; n++) {
			assertThat(this.sequences.received("a", n, false)).isFalse();
		}
		this.now.addAndGet(1000);
		assertThat(this.sequences.expired()).isFalse();
	}

	@Test
	void aNumberArrivingWithinTheGraceIsNoLoss() {
		this.sequences.received("a", 1, false);
		this.sequences.received("a", 3, false);
		this.now.addAndGet(50);
		this.sequences.received("a", 2, false);
		this.now.addAndGet(1000);
		assertThat(this.sequences.expired()).isFalse();
	}

	@Test
	void aNumberMissingPastTheGraceIsALossOnce() {
		this.sequences.received("a", 1, false);
		this.sequences.received("a", 3, false);
		this.now.addAndGet(99);
		assertThat(this.sequences.expired()).isFalse();
		this.now.addAndGet(1);
		assertThat(this.sequences.expired()).isTrue();
		assertThat(this.sequences.expired()).isFalse();
	}

	@Test
	void aHeartbeatRevealsALostLastMessage() {
		this.sequences.received("a", 1, false);
		assertThat(this.sequences.received("a", 2, true)).isFalse();
		this.now.addAndGet(100);
		assertThat(this.sequences.expired()).isTrue();
	}

	@Test
	void aHeartbeatOfWhatArrivedIsNoLoss() {
		this.sequences.received("a", 1, false);
		this.sequences.received("a", 1, true);
		this.sequences.received("a", 2, false);
		this.sequences.received("a", 2, true);
		this.now.addAndGet(1000);
		assertThat(this.sequences.expired()).isFalse();
	}

	@Test
	void numbersBelowTheFirstOneSeenAreIgnored() {
		this.sequences.received("a", 7, false);
		assertThat(this.sequences.received("a", 6, false)).isFalse();
		this.now.addAndGet(1000);
		assertThat(this.sequences.expired()).isFalse();
	}

	@Test
	void tooManyMissingNumbersAreALossAtOnce() {
		this.sequences.received("a", 1, false);
		assertThat(this.sequences.received("a", 2 + MessageSequences.MAX_MISSING + 1, false)).isTrue();
	}

	@Test
	void aHeartbeatArrivingAfterALaterMessageDoesNotCrossOffALostOne() {
		this.sequences.received("a", 1, false);
		this.sequences.received("a", 3, false);
		this.sequences.received("a", 2, true);
		this.now.addAndGet(100);
		assertThat(this.sequences.expired()).isTrue();
	}

	@Test
	void aPublisherFirstHeardOfLongAfterListeningBeganIsAwaitedFromItsFirstNumber() {
		this.now.addAndGet(501);
		this.sequences.received("new", 2, false);
		this.now.addAndGet(100);
		assertThat(this.sequences.expired()).isTrue();
	}

	@Test
	void publishersAreTrackedApart() {
		this.sequences.received("a", 1, false);
		this.sequences.received("b", 5, false);
		this.sequences.received("a", 2, false);
		this.sequences.received("b", 6, false);
		this.now.addAndGet(1000);
		assertThat(this.sequences.expired()).isFalse();
	}

}
