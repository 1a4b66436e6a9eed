package dev.tieredcache.serialization;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Currency;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
	void aClassNamedOnlyInAGenericTypeIdIsNeitherLoadedNorInitialized() {
		AllowListJsonSerializer narrow = new AllowListJsonSerializer(List.of("java"));
		String generic = "[\"java.util.ArrayList<" + GenericTripwire.class.getName() + ">\",[]]";
		assertThatExceptionOfType(SerializationFailedException.class)
			.isThrownBy(() -> narrow.deserialize(generic.getBytes(StandardCharsets.UTF_8)));
		String nested = "[\"java.util.HashMap<java.lang.String,java.util.List<" + GenericTripwire.class.getName()
				+ ">>\",{}]";
		assertThatExceptionOfType(SerializationFailedException.class)
			.isThrownBy(() -> narrow.deserialize(nested.getBytes(StandardCharsets.UTF_8)));
		assertThat(GENERIC_TRIPPED).as("GenericTripwire's static initializer ran").isFalse();
	}

	@Test
	void genericTypeIdsOfAllowedClassesAreStillRead() {
		String generic = "[\"java.util.ArrayList<java.lang.String>\",[\"a\",\"b\"]]";
		assertThat(this.serializer.deserialize(generic.getBytes(StandardCharsets.UTF_8))).isEqualTo(List.of("a", "b"));
		java.util.EnumSet<java.time.DayOfWeek> days = java.util.EnumSet.of(java.time.DayOfWeek.MONDAY);
		assertThat(new String(this.serializer.serialize(days), StandardCharsets.UTF_8)).contains("EnumSet<");
		assertThat(roundTrip(days)).isEqualTo(days);
	}

	@Test
	void theJdksValueTypesAndCollectionsAreAlwaysAllowed() {
		AllowListJsonSerializer applicationOnly = new AllowListJsonSerializer(List.of("com.example"));
		List<Object> values = List.of(List.of(1L, "a"), Map.of("k", 1.5f), Set.of('c'), new ArrayList<>(List.of(2)),
				new TreeMap<>(Map.of("k", (short) 1)), new LinkedHashSet<>(List.of("x")), Arrays.asList(1, 2),
				Collections.singletonList("s"), Collections.unmodifiableMap(new HashMap<>(Map.of("k", "v"))),
				new ConcurrentHashMap<>(Map.of("k", 1)), EnumSet.of(DayOfWeek.MONDAY),
				new BigDecimal("1.00"), BigInteger.TEN, UUID.randomUUID(), LocalDate.of(2024, 2, 29),
				Instant.ofEpochSecond(1), Duration.ofSeconds(3), new Date(5), Locale.FRANCE,
				Currency.getInstance("EUR"), URI.create("https://example.com"), new Timestamp(7),
				new long[] { 1, 2 }, new String[] { "a" });
		for (Object value : values) {
			Object back = applicationOnly.deserialize(applicationOnly.serialize(value));
			assertThat(back).as("%s", value.getClass().getName()).isEqualTo(value);
		}
		Object[] mixed = { 1L, "a", new Address("Paris") };
		assertThat(roundTrip(mixed)).as("an array of values of several types").isEqualTo(mixed);
	}

	@Test
	void nothingElseOfTheJdkIsAllowed(@TempDir Path directory) {
		AllowListJsonSerializer applicationOnly = new AllowListJsonSerializer(List.of("com.example"));
		Path log = directory.resolve("written-by-a-gadget.log");
		String fileHandler = "[\"java.util.logging.FileHandler\",\"" + log.toString().replace("\\", "/") + "\"]";
		assertThatExceptionOfType(SerializationFailedException.class)
			.isThrownBy(() -> applicationOnly.deserialize(fileHandler.getBytes(StandardCharsets.UTF_8)));
		assertThat(log).doesNotExist();
		String classValue = "[\"java.lang.Class\",\"" + Tripwire.class.getName() + "\"]";
		assertThatExceptionOfType(SerializationFailedException.class)
			.isThrownBy(() -> applicationOnly.deserialize(classValue.getBytes(StandardCharsets.UTF_8)));
		assertThat(TRIPPED).as("Tripwire's static initializer ran").isFalse();
	}

	@Test
	void aValueHoldingAClassOutsideTheAllowListIsRefusedWhenWrittenNamingTheClassOnce() {
		AllowListJsonSerializer applicationOnly = new AllowListJsonSerializer(List.of("com.example"));
		assertThatExceptionOfType(DisallowedClassException.class)
			.isThrownBy(() -> applicationOnly.serialize(new Address("Paris")))
			.withMessageContaining(Address.class.getName())
			.withMessageContaining("tiered-cache.serialization.allowed-packages")
			.satisfies((ex) -> assertThat(ex.isFirstForItsClass()).isTrue());
		assertThatExceptionOfType(DisallowedClassException.class)
			.isThrownBy(() -> applicationOnly.serialize(Map.of("nested", List.of(new Address("Rome")))))
			.satisfies((ex) -> assertThat(ex.getClassName()).isEqualTo(Address.class.getName()))
			.satisfies((ex) -> assertThat(ex.isFirstForItsClass()).isFalse());
		assertThatExceptionOfType(DisallowedClassException.class)
			.isThrownBy(() -> applicationOnly.serialize(new AtomicLong(1)))
			.satisfies((ex) -> assertThat(ex.getClassName()).isEqualTo(AtomicLong.class.getName()));
		assertThatExceptionOfType(DisallowedClassException.class)
			.isThrownBy(() -> applicationOnly.serialize(EnumSet.of(Thread.State.NEW)))
			.satisfies((ex) -> assertThat(ex.getClassName()).isEqualTo(Thread.State.class.getName()));
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

	/** Set by {@link GenericTripwire}'s static initializer. */
	static final java.util.concurrent.atomic.AtomicBoolean GENERIC_TRIPPED = new java.util.concurrent.atomic.AtomicBoolean();

	/** Named only inside the type parameters of a generic type id. */
	public static class GenericTripwire {

		static {
			GENERIC_TRIPPED.set(true);
		}

	}

	/** A class whose static initializer would reveal that it was loaded for a payload. */
	public static class Tripwire {

		static {
			TRIPPED.set(true);
		}

	}

}
