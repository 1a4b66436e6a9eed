package dev.tieredcache.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.PropertyNamingStrategies;

import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.serialization.AllowListJsonSerializer;
import dev.tieredcache.serialization.SerializationFailedException;
import dev.tieredcache.serialization.ValueSerializer;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Which serializer the manager uses: the application's {@link ValueSerializer} when it has
 * one, otherwise JSON on the application's Jackson configuration, with an allow-list that
 * holds the application's packages by default.
 */
class TieredCacheSerializationTests {

	private final String prefix = TestRedis.uniquePrefix("serialization");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, this.prefix);

	@Test
	void anApplicationValueSerializerReplacesTheDefault() {
		ApplicationContextRunner custom = this.runner.withUserConfiguration(CustomSerializerConfiguration.class);
		custom.run((a) -> custom.run((b) -> {
			assertThat(a).getBean(ValueSerializer.class).isInstanceOf(PrefixingSerializer.class);
			cache(a).put("k", "value");
			assertThat(storedValues()).singleElement()
				.satisfies((stored) -> assertThat(stored).endsWith("custom:value"));
			assertThat(cache(b).get("k", String.class)).isEqualTo("value");
		}));
	}

	@Test
	void theDefaultSerializerIsBuiltOnTheApplicationsJacksonConfiguration() {
		ApplicationContextRunner withJackson = this.runner
			.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class))
			.withBean(JsonMapperBuilderCustomizer.class,
					() -> (builder) -> builder.propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
		withJackson.run((a) -> withJackson.run((b) -> {
			assertThat(a).getBean(ValueSerializer.class).isInstanceOf(AllowListJsonSerializer.class);
			cache(a).put("k", new Profile("Ada Lovelace", List.of(1815L)));
			assertThat(storedValues()).singleElement()
				.satisfies((stored) -> assertThat(stored).contains("\"display_name\"").contains(Profile.class.getName()));
			assertThat(cache(b).get("k", Profile.class)).isEqualTo(new Profile("Ada Lovelace", List.of(1815L)));
		}));
	}

	@Test
	void theDefaultAllowListRefusesTheRestOfTheJdk() {
		this.runner.withPropertyValues("tiered-cache.serialization.allowed-packages=")
			.withUserConfiguration(ApplicationPackage.class)
			.run((context) -> {
				ValueSerializer serializer = context.getBean(ValueSerializer.class);
				// java.lang.Class reads a class name and loads and initializes that class.
				String classGadget = "[\"java.lang.Class\",\"" + Tripwire.class.getName() + "\"]";
				assertThatExceptionOfType(SerializationFailedException.class)
					.isThrownBy(() -> serializer.deserialize(classGadget.getBytes(StandardCharsets.UTF_8)));
				assertThat(TRIPPED).as("Tripwire's static initializer ran").isFalse();
			});
	}

	@Test
	void theDefaultAllowListHoldsTheApplicationsPackagesAndTheJdksValueTypes() {
		ApplicationContextRunner defaults = this.runner.withPropertyValues("tiered-cache.serialization.allowed-packages=")
			.withUserConfiguration(ApplicationPackage.class);
		defaults.run((a) -> defaults.run((b) -> {
			cache(a).put("application", new Profile("Ada", List.of(1L)));
			cache(a).put("jdk", List.of(java.time.LocalDate.of(2024, 2, 29)));
			cache(a).put("elsewhere", new dev.tieredcache.test.Elsewhere("x"));
			assertThat(cache(b).get("application", Profile.class)).isEqualTo(new Profile("Ada", List.of(1L)));
			assertThat(cache(b).get("jdk", List.class)).isEqualTo(List.of(java.time.LocalDate.of(2024, 2, 29)));
			assertThat(cache(b).get("elsewhere")).isNull();
			assertThat(cache(a).getStatistics().disallowedValues()).isEqualTo(1);
		}));
	}

	private static TieredCache cache(ApplicationContext context) {
		return context.getBean(TieredCacheManager.class).getCache("serialized");
	}

	private List<String> storedValues() {
		try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
			return redis.commands()
				.keys((this.prefix + "c:*").getBytes())
				.stream()
				.map((key) -> new String(redis.commands().get(key), StandardCharsets.UTF_8))
				.toList();
		}
	}

	public record Profile(String displayName, List<Long> years) {
	}

	/** Set by {@link Tripwire}'s static initializer. */
	static final AtomicBoolean TRIPPED = new AtomicBoolean();

	/** A class whose static initializer would reveal that a payload loaded it. */
	static class Tripwire {

		static {
			TRIPPED.set(true);
		}

	}

	/** Writes strings only, as {@code custom:} and the string. */
	static class PrefixingSerializer implements ValueSerializer {

		@Override
		public byte[] serialize(Object value) {
			return ("custom:" + value).getBytes(StandardCharsets.UTF_8);
		}

		@Override
		public @Nullable Object deserialize(byte[] bytes) {
			return new String(bytes, StandardCharsets.UTF_8).substring("custom:".length());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomSerializerConfiguration {

		@Bean
		PrefixingSerializer prefixingSerializer() {
			return new PrefixingSerializer();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@AutoConfigurationPackage
	static class ApplicationPackage {

	}

}
