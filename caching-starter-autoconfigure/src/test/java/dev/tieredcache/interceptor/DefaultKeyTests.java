package dev.tieredcache.interceptor;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.convert.converter.Converter;

import dev.tieredcache.annotation.ReadThrough;
import dev.tieredcache.annotation.WriteThrough;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Default keys of the annotations (the method's arguments): a parameter type that can
 * never be a key fails start-up naming the method; an argument that cannot be a key at
 * call time runs the method uncached with a warning; keys of several arguments never
 * collide, whatever the arguments contain.
 */
@ExtendWith(OutputCaptureExtension.class)
class DefaultKeyTests {

	private final String prefix = TestRedis.uniquePrefix("default-keys");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, this.prefix);

	@Test
	void aParameterOfAFinalClassWithoutToStringFailsStartUpNamingTheMethodTheClassAndTheFix() {
		this.runner.withBean(SkuService.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure()))
				.hasMessageContaining("SkuService.find(Sku)")
				.hasMessageContaining(Sku.class.getName())
				.hasMessageContaining("does not override toString()")
				.hasMessageContaining("key expression")
				.hasMessageContaining("Converter<" + Sku.class.getName() + ", String>");
		});
	}

	@Test
	void aFinalKeyClassWithAConverterOfTheApplicationStartsAndIsCachedAcrossInstances() {
		ApplicationContextRunner withConverter = this.runner.withBean(SkuService.class)
			.withUserConfiguration(SkuConverterConfiguration.class);
		withConverter.run((a) -> withConverter.run((b) -> {
			assertThat(a.getBean(SkuService.class).find(new Sku("ab"))).isEqualTo("name of ab");
			assertThat(b.getBean(SkuService.class).find(new Sku("ab"))).isEqualTo("name of ab");
			assertThat(b.getBean(SkuService.class).find(new Sku("cd"))).isEqualTo("name of cd");
			assertThat(a.getBean(SkuService.class).calls()).hasValue(1);
			assertThat(b.getBean(SkuService.class).calls()).hasValue(1);
		}));
	}

	@Test
	void anArrayParameterFailsWhenTheBeanIsProxied() {
		this.runner.withBean(ArrayService.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure()))
				.hasMessageContaining("ArrayService.find(String[])")
				.hasMessageContaining("java.lang.String[]")
				.hasMessageContaining("T(java.util.Arrays).asList(#p0)");
		});
	}

	@Test
	void aSetParameterOfAWriteFailsStartUp() {
		this.runner.withBean(SetService.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure()))
				.hasMessageContaining("SetService.save(Set)")
				.hasMessageContaining("java.util.Set");
		});
	}

	@Test
	void anArgumentWithoutAStringFormRunsTheMethodUncachedAndWarnsWithoutTheKey(CapturedOutput output) {
		this.runner.withBean(ObjectService.class).run((context) -> {
			ObjectService service = context.getBean(ObjectService.class);
			assertThat(service.find(new Sku("ab"))).isEqualTo("found ab");
			assertThat(service.find(new Sku("cd"))).as("never the other key's value").isEqualTo("found cd");
			assertThat(service.find(new Sku("ab"))).isEqualTo("found ab");
			assertThat(service.calls()).as("each call ran the method").hasValue(3);
			assertThat(service.find("ab")).isEqualTo("found ab");
			assertThat(service.find("ab")).isEqualTo("found ab");
			assertThat(service.calls()).as("a string argument is cached").hasValue(4);
			assertThat(output).containsOnlyOnce("ObjectService.find(Object)")
				.contains(Sku.class.getName())
				.contains("Converter<")
				.contains("the call runs uncached")
				.doesNotContain("$Sku@");
		});
	}

	@Test
	void keysOfSeveralArgumentsNeverCollideWhateverTheArgumentsContain() {
		this.runner.withBean(SearchService.class).run((a) -> this.runner.withBean(SearchService.class).run((b) -> {
			SearchService searchA = a.getBean(SearchService.class);
			SearchService searchB = b.getBean(SearchService.class);
			Object[][] calls = { { "a,b", "c" }, { "a", "b,c" }, { "a", "b" }, { null, "x" }, { "\u0000null", "x" },
					{ "%00null", "x" }, { "a%2Cb", "c" } };
			for (Object[] call : calls) {
				searchA.search((String) call[0], (String) call[1]);
			}
			searchA.search("a,b");
			searchA.search("");
			searchA.search();
			for (Object[] call : calls) {
				assertThat(searchB.search((String) call[0], (String) call[1]))
					.isEqualTo(SearchService.result(call[0], call[1]));
			}
			assertThat(searchB.search("a,b")).isEqualTo(SearchService.result("a,b"));
			assertThat(searchB.search("")).isEqualTo(SearchService.result(""));
			assertThat(searchB.search()).isEqualTo(SearchService.result());
			assertThat(searchB.calls()).as("every answer came from instance A's entries").hasValue(0);
			assertThat(searchA.calls()).as("one entry per distinct call").hasValue(calls.length + 3);
		}));
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

	static class SkuService {

		private final AtomicInteger calls = new AtomicInteger();

		AtomicInteger calls() {
			return this.calls;
		}

		@ReadThrough(cache = "skus")
		public String find(Sku sku) {
			this.calls.incrementAndGet();
			return "name of " + sku.code();
		}

	}

	static class ArrayService {

		@ReadThrough(cache = "arrays")
		public String find(String[] codes) {
			return String.join("+", codes);
		}

	}

	static class SetService {

		@WriteThrough(cache = "sets")
		public String save(Set<String> codes) {
			return "saved";
		}

	}

	static class ObjectService {

		private final AtomicInteger calls = new AtomicInteger();

		AtomicInteger calls() {
			return this.calls;
		}

		@ReadThrough(cache = "objects")
		public String find(Object code) {
			this.calls.incrementAndGet();
			return "found " + ((code instanceof Sku sku) ? sku.code() : code);
		}

	}

	static class SearchService {

		private final AtomicInteger calls = new AtomicInteger();

		AtomicInteger calls() {
			return this.calls;
		}

		static String result(Object... arguments) {
			return "result of " + java.util.Arrays.toString(arguments) + " (" + arguments.length + ")";
		}

		@ReadThrough(cache = "search")
		public String search(String query, String filter) {
			this.calls.incrementAndGet();
			return result(query, filter);
		}

		@ReadThrough(cache = "search")
		public String search(String query) {
			this.calls.incrementAndGet();
			return result(query);
		}

		@ReadThrough(cache = "search")
		public String search() {
			this.calls.incrementAndGet();
			return result();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SkuConverterConfiguration {

		@Bean
		Converter<Sku, String> skuToString() {
			return new Converter<>() {

				@Override
				public String convert(Sku sku) {
					return "sku-" + sku.code();
				}

			};
		}

	}

}
