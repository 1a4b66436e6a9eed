package dev.tieredcache.serialization;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.tieredcache.cache.CacheEntry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What the serializer reads back, and what it refuses to: no class outside the allow-list
 * is ever loaded or instantiated.
 */
class AllowListJsonSerializerTests {

	private final AllowListJsonSerializer serializer = new AllowListJsonSerializer(
			List.of("java", "dev.tieredcache.serialization"));

	public record Address(String city) {
	}

	public record Person(String name, long age, List<Address> addresses, Map<String, Object> attributes) {
	}

	@Test
	void valuesComeBackWithTheirTypes() {
		Person person = new Person("ada", 36L, List.of(new Address("London")), Map.of("since", 1843L));
		assertThat(roundTrip(person)).isEqualTo(person);
		assertThat(roundTrip(42L)).isEqualTo(42L);
		assertThat(roundTrip("text")).isEqualTo("text");
		assertThat(roundTrip(List.of(new Address("Paris")))).isEqualTo(List.of(new Address("Paris")));
		assertThat(roundTrip(Instant.ofEpochSecond(1))).isEqualTo(Instant.ofEpochSecond(1));
	}

	@Test
	void aClassOutsideTheAllowListIsRefusedBeforeItIsLoaded() {
		String gadget = "[\"com.sun.rowset.JdbcRowSetImpl\",{\"dataSourceName\":\"ldap://127.0.0.1:1389/x\","
				+ "\"autoCommit\":true}]";
		assertThatExceptionOfType(SerializationFailedException.class)
			.isThrownBy(() -> this.serializer.deserialize(gadget.getBytes(StandardCharsets.UTF_8)));
		String nested = "[\"java.util.ArrayList\",[[\"org.springframework.context.support.FileSystemXmlApplicationContext\","
				+ "\"http://127.0.0.1:1/x.xml\"]]]";
		assertThatExceptionOfType(SerializationFailedException.class)
			.isThrownBy(() -> this.serializer.deserialize(nested.getBytes(StandardCharsets.UTF_8)));
		String sameLooking = "[\"dev.tieredcache.serializationEvil.Payload\",{}]";
		assertThatExceptionOfType(SerializationFailedException.class)
			.isThrownBy(() -> this.serializer.deserialize(sameLooking.getBytes(StandardCharsets.UTF_8)));
	}

	@Test
	void aRefusedPayloadNeverInitializesItsClass() {
		String payload = "[\"" + Tripwire.class.getName().replace("serialization", "serialization.forbidden")
				+ "\",{}]";
		assertThatExceptionOfType(SerializationFailedException.class)
			.isThrownBy(() -> this.serializer.deserialize(payload.getBytes(StandardCharsets.UTF_8)));
		AllowListJsonSerializer narrow = new AllowListJsonSerializer(List.of("java"));
		String tripwire = "[\"" + Tripwire.class.getName() + "\",{}]";
		assertThatExceptionOfType(SerializationFailedException.class)
			.isThrownBy(() -> narrow.deserialize(tripwire.getBytes(StandardCharsets.UTF_8)));
		assertThat(TRIPPED).as("Tripwire's static initializer ran").isFalse();
	}

	@Test
	void truncatedOrForeignEnvelopesAreRefused() {
		EntryCodec codec = new EntryCodec(this.serializer);
		CacheEntry entry = new CacheEntry("value", 1, 2, 3, 4, new String[] { "t" }, new long[] { 5 }, 6);
		byte[] bytes = codec.encode(entry, codec.serializeValue("value"), 0);
		assertThat(codec.decode(bytes, 0).get()).isEqualTo("value");
		assertThat(codec.decode(bytes, 0).epoch()).isEqualTo(6);
		for (int length = 0; length < bytes.length - 1; length++) {
			byte[] truncated = java.util.Arrays.copyOf(bytes, length);
			assertThatExceptionOfType(SerializationFailedException.class).isThrownBy(() -> codec.decode(truncated, 0));
		}
		assertThatExceptionOfType(SerializationFailedException.class)
			.isThrownBy(() -> codec.decode("{\"hello\":1}".getBytes(StandardCharsets.UTF_8), 0));
	}

	private Object roundTrip(Object value) {
		return this.serializer.deserialize(this.serializer.serialize(value));
	}


	/** Set by {@link Tripwire}'s static initializer; read here without initializing it. */
	static final java.util.concurrent.atomic.AtomicBoolean TRIPPED = new java.util.concurrent.atomic.AtomicBoolean();

	/** A class whose static initializer would reveal that it was loaded for a payload. */
	public static class Tripwire {

		static {
			TRIPPED.set(true);
		}

	}

}
