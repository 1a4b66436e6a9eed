package dev.tieredcache.redis;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invalidation messages survive the round trip and foreign messages are ignored.
 */
class InvalidationMessageTests {

	@Test
	void roundTripsWithADetailThatContainsTheSeparator() {
		InvalidationMessage message = new InvalidationMessage(InvalidationMessage.KEY, "instance-1", 42, "users",
				"a|b|c");
		InvalidationMessage parsed = InvalidationMessage.parse(message.toBytes());
		assertThat(parsed).isEqualTo(message);
	}

	@Test
	void foreignMessagesAreNotParsed() {
		assertThat(InvalidationMessage.parse("hello".getBytes(StandardCharsets.UTF_8))).isNull();
		assertThat(InvalidationMessage.parse("K|only-two".getBytes(StandardCharsets.UTF_8))).isNull();
		assertThat(InvalidationMessage.parse(new byte[0])).isNull();
		assertThat(InvalidationMessage.parse("K|i|not-a-number|users|1".getBytes(StandardCharsets.UTF_8))).isNull();
	}

}
