package dev.tieredcache.schema;

import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.core.ResolvableType;

import static org.assertj.core.api.Assertions.assertThat;

class TypeFingerprintTests {

	record Address(String city) {
	}

	record Person(String name, Address address, List<Address> previous) {
	}

	static class Node {

		String label;

		Node next;

		transient int cached;

	}

	enum Level {

		LOW, HIGH

	}

	@Test
	void sameTypesSameFingerprintWhateverTheOrder() {
		assertThat(TypeFingerprint.of(List.of(Person.class, Level.class)))
			.isEqualTo(TypeFingerprint.of(List.of(Level.class, Person.class)));
	}

	@Test
	void aNestedFieldTypeOrAGenericArgumentChangesIt() {
		Type people = ResolvableType.forClassWithGenerics(List.class, Person.class).getType();
		Type addresses = ResolvableType.forClassWithGenerics(List.class, Address.class).getType();
		assertThat(TypeFingerprint.of(List.of(people))).isNotEqualTo(TypeFingerprint.of(List.of(addresses)));
		assertThat(TypeFingerprint.of(List.of(Person.class))).isNotEqualTo(TypeFingerprint.of(List.of(Address.class)));
	}

	@Test
	void cyclesEndAndTransientFieldsDoNotCount() {
		long node = TypeFingerprint.of(List.of(Node.class));
		assertThat(node).isNotZero().isNotEqualTo(-1);
		assertThat(TypeFingerprint.of(List.of(Map.class))).isNotEqualTo(node);
	}

	@Test
	void explicitVersionsDifferFromEachOther() {
		assertThat(TypeFingerprint.ofVersion("1")).isNotEqualTo(TypeFingerprint.ofVersion("2"))
			.isEqualTo(TypeFingerprint.ofVersion("1"));
	}

}
