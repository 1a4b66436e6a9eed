package dev.tieredcache.cache;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.interceptor.SimpleKey;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.ConversionService;
import org.springframework.core.convert.converter.Converter;
import org.springframework.format.support.DefaultFormattingConversionService;

import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Keys of the {@code Cache} API, on two instances sharing a real Redis: every key is
 * encoded without ambiguity, or refused with a message that names the cache, the key's
 * class and the fix; never two keys on one entry.
 */
class CacheKeyEncodingTests {

	private final String prefix = TestRedis.uniquePrefix("key-encoding");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, this.prefix);

	@Test
	void aKeyWithoutItsOwnToStringIsRefusedNamingTheCacheInsteadOfSharingAnotherKeysEntry() {
		this.runner.run((a) -> this.runner.run((b) -> {
			TieredCache cacheA = cache(a, "skus");
			TieredCache cacheB = cache(b, "skus");
			assertThatExceptionOfType(IllegalArgumentException.class)
				.isThrownBy(() -> cacheA.put(new Sku("ab"), "apple"))
				.withMessageContaining("Cache 'skus'")
				.withMessageContaining(Sku.class.getName())
				.withMessageContaining("does not override toString()")
				.withMessageContaining("key expression")
				.withMessageContaining("Converter<" + Sku.class.getName() + ", String>")
				.withMessageNotContaining("ab");
			assertThatExceptionOfType(InvalidCacheKeyException.class).isThrownBy(() -> cacheB.get(new Sku("cd")));
			assertThatExceptionOfType(InvalidCacheKeyException.class)
				.isThrownBy(() -> cacheB.get(new Sku("cd"), () -> "loaded"));
			assertThatExceptionOfType(InvalidCacheKeyException.class).isThrownBy(() -> cacheB.evict(new Sku("cd")));
			assertThat(redisKeys()).as("nothing reached Redis").isEmpty();
		}));
	}

	@Test
	void arraysSetsMapsAndLambdasAreRefused() {
		this.runner.run((context) -> {
			TieredCache cache = cache(context, "odd");
			Supplier<String> lambda = () -> "x";
			for (Object key : List.of(new String[] { "a" }, new long[] { 1 }, Set.of("a"), Map.of("a", 1), lambda,
					new Object())) {
				assertThatExceptionOfType(InvalidCacheKeyException.class).as("%s", key.getClass())
					.isThrownBy(() -> cache.put(key, "v"))
					.withMessageContaining("Cache 'odd'")
					.withMessageContaining(key.getClass().getTypeName());
			}
			assertThatExceptionOfType(InvalidCacheKeyException.class)
				.isThrownBy(() -> cache.put(List.of("fine", new Sku("nested")), "v"))
				.withMessageContaining(Sku.class.getName());
		});
	}

	@Test
	void listKeysAreTheirElementsOneByOneOnEveryInstance() {
		this.runner.run((a) -> this.runner.run((b) -> {
			cache(a, "lists").put(List.of("a, b"), "one element");
			cache(a, "lists").put(List.of("a", "b"), "two elements");
			cache(a, "lists").put(List.of(List.of("a"), "b"), "nested");
			cache(a, "lists").put("[a, b]", "a string");
			assertThat(cache(b, "lists").get(List.of("a, b"), String.class)).isEqualTo("one element");
			assertThat(cache(b, "lists").get(new java.util.ArrayList<>(List.of("a", "b")), String.class))
				.isEqualTo("two elements");
			assertThat(cache(b, "lists").get(List.of(List.of("a"), "b"), String.class)).isEqualTo("nested");
			assertThat(cache(b, "lists").get("[a, b]", String.class)).isEqualTo("a string");
			assertThat(cache(b, "lists").get(List.of(), String.class)).isNull();
		}));
	}

	@Test
	void recordKeysAreTheirComponentsOneByOneOnEveryInstance() {
		this.runner.run((a) -> this.runner.run((b) -> {
			cache(a, "records").put(new Pair("1, y=2", "3"), "first");
			cache(a, "records").put(new Pair("1", "2, y=3"), "second");
			cache(a, "records").put(new Pair("1", null), "null component");
			assertThat(cache(b, "records").get(new Pair("1, y=2", "3"), String.class)).isEqualTo("first");
			assertThat(cache(b, "records").get(new Pair("1", "2, y=3"), String.class)).isEqualTo("second");
			assertThat(cache(b, "records").get(new Pair("1", null), String.class)).isEqualTo("null component");
			assertThat(cache(b, "records").get(new Pair("1", "null"), String.class)).isNull();
			assertThat(cache(b, "records").get("Pair[x=1, y=2, y=3]", String.class)).isNull();
		}));
	}

	@Test
	void springSimpleKeysAreTheirPartsOneByOne() {
		this.runner.run((a) -> this.runner.run((b) -> {
			cache(a, "simple").put(new SimpleKey("a, b", "c"), "first");
			cache(a, "simple").put(new SimpleKey("a", "b, c"), "second");
			cache(a, "simple").put(SimpleKey.EMPTY, "no arguments");
			assertThat(cache(b, "simple").get(new SimpleKey("a, b", "c"), String.class)).isEqualTo("first");
			assertThat(cache(b, "simple").get(new SimpleKey("a", "b, c"), String.class)).isEqualTo("second");
			assertThat(cache(b, "simple").get(SimpleKey.EMPTY, String.class)).isEqualTo("no arguments");
			assertThat(cache(b, "simple").get("", String.class)).isNull();
		}));
	}

	@Test
	void valueKeysKeepTheirExactStringForm() {
		this.runner.run((context) -> {
			TieredCache cache = cache(context, "values");
			cache.put(42L, "forty-two");
			assertThat(cache.get("42", String.class)).as("numbers and strings share their string form")
				.isEqualTo("forty-two");
			cache.put(new BigDecimal("1.0"), "one point zero");
			assertThat(cache.get(new BigDecimal("1.00"), String.class)).as("scale is kept, as by equals").isNull();
			UUID id = UUID.randomUUID();
			cache.put(id, "uuid");
			assertThat(cache.get(UUID.fromString(id.toString()), String.class)).isEqualTo("uuid");
			cache.put(LocalDate.of(2024, 2, 29), "leap day");
			assertThat(cache.get(LocalDate.parse("2024-02-29"), String.class)).isEqualTo("leap day");
			cache.put(new Date(1_000), "one second");
			assertThat(cache.get(new Date(1_001), String.class)).as("milliseconds count").isNull();
			assertThat(cache.get(new Date(1_000), String.class)).isEqualTo("one second");
			cache.put(Thread.State.NEW, "enum");
			assertThat(cache.get("NEW", String.class)).as("enums are their name").isEqualTo("enum");
		});
	}

	@Test
	void aConverterInTheApplicationsConversionServiceGivesAKeyClassItsStringForm() {
		ApplicationContextRunner withConverter = this.runner.withUserConfiguration(SkuConversionService.class);
		withConverter.run((a) -> withConverter.run((b) -> {
			cache(a, "skus").put(new Sku("ab"), "apple");
			cache(a, "skus").put(new Sku("cd"), "cherry");
			assertThat(cache(b, "skus").get(new Sku("ab"), String.class)).isEqualTo("apple");
			assertThat(cache(b, "skus").get(new Sku("cd"), String.class)).isEqualTo("cherry");
			assertThat(redisKeys()).anySatisfy((key) -> assertThat(key).contains("sku-ab"));
			cache(a, "skus").put(List.of("a, b"), "list");
			assertThat(cache(b, "skus").get(List.of("a", "b"), String.class))
				.as("Spring's collection-to-string join is not trusted").isNull();
		}));
	}

	@Test
	void converterBeansAreUsedWhenThereIsNoConversionServiceBean() {
		this.runner.withUserConfiguration(SkuConverterBean.class).run((context) -> {
			cache(context, "skus").put(new Sku("ab"), "apple");
			assertThat(cache(context, "skus").get(new Sku("ab"), String.class)).isEqualTo("apple");
			assertThat(cache(context, "skus").get(new Sku("cd"), String.class)).isNull();
		});
	}

	@Test
	void aConversionServiceWithOnlySpringsOwnConvertersDoesNotMakeAKeyTrusted() {
		this.runner.withBean(ConversionService.class, DefaultFormattingConversionService::new).run((context) -> {
			assertThatExceptionOfType(InvalidCacheKeyException.class)
				.isThrownBy(() -> cache(context, "skus").put(new Sku("ab"), "apple"));
			assertThatExceptionOfType(InvalidCacheKeyException.class)
				.isThrownBy(() -> cache(context, "skus").put(Set.of("a"), "set"));
		});
	}

	private static TieredCache cache(org.springframework.context.ApplicationContext context, String name) {
		return context.getBean(TieredCacheManager.class).getCache(name);
	}

	private List<String> redisKeys() {
		try (TestRedis redis = new TestRedis(TestRedis.SHARED_PORT)) {
			return redis.commands().keys((this.prefix + "c:*").getBytes()).stream().map(String::new).toList();
		}
	}

	record Pair(String x, String y) {
	}

	/** Equal by code, with a legal but far from unique hash code, and no toString(). */
	static final class Sku {

		private final String code;

		Sku(String code) {
			this.code = code;
		}

		String code() {
			return this.code;
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof Sku sku && sku.code.equals(this.code);
		}

		@Override
		public int hashCode() {
			return Objects.hash(this.code.length());
		}

	}

	static class SkuToString implements Converter<Sku, String> {

		@Override
		public String convert(Sku sku) {
			return "sku-" + sku.code();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SkuConversionService {

		@Bean
		ConversionService skuConversionService() {
			DefaultFormattingConversionService service = new DefaultFormattingConversionService();
			service.addConverter(new SkuToString());
			return service;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SkuConverterBean {

		@Bean
		SkuToString skuToString() {
			return new SkuToString();
		}

	}

}
