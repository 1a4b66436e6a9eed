package dev.tieredcache.interceptor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.tieredcache.annotation.ReadThrough;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad expressions and values: a clear error at start-up, or a logged skip with the
 * method's own result still reaching the caller.
 */
@ExtendWith(OutputCaptureExtension.class)
class BadInputTests {

	private final String prefix = TestRedis.uniquePrefix("bad-input");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, this.prefix);

	@Test
	void aMalformedExpressionFailsStartUpNamingTheMethodAndTheExpression() {
		this.runner.withUserConfiguration(MalformedConfiguration.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure())
				.hasStackTraceContaining("Invalid SpEL expression '#id +' (key of @ReadThrough on MalformedService.find(long))");
		});
	}

	@Test
	void anUnconfiguredCacheFailsStartUpNamingItAndTheMethodWhenDynamicCachesAreOff() {
		this.runner.withUserConfiguration(OddServiceConfiguration.class)
			.withPropertyValues("tiered-cache.dynamic=false", "tiered-cache.caches.other.ttl=1m")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).hasMessageContaining("OddService.")
					.hasMessageContaining("cache 'odd'")
					.hasMessageContaining("tiered-cache.caches.odd");
			});
	}

	@Test
	void aKeyThatEvaluatesToNullRunsTheMethodUncachedAndSaysWhy(CapturedOutput output) {
		this.runner.withUserConfiguration(OddServiceConfiguration.class).run((context) -> {
			OddService service = context.getBean(OddService.class);
			assertThat(service.byName(null)).isEqualTo("name:null");
			assertThat(service.byName(null)).isEqualTo("name:null");
			assertThat(service.calls()).as("each call ran the method").hasValue(2);
			assertThat(output).contains("'#name'").contains("OddService.byName(String)").contains("evaluated to null");
		});
	}

	@Test
	void aValueThatCannotBeSerializedIsKeptOutOfRedisAndStillReturned(CapturedOutput output) {
		this.runner.withUserConfiguration(OddServiceConfiguration.class).run((context) -> {
			OddService service = context.getBean(OddService.class);
			Opaque first = service.opaque(1);
			assertThat(first).isNotNull();
			assertThat(service.opaque(1)).as("served from L1").isSameAs(first);
			assertThat(context.getBean(TieredCacheManager.class).getCache("odd").getStatistics().puts(
					dev.tieredcache.cache.CacheStatistics.Tier.L2)).isZero();
			assertThat(output).contains("cannot serialize a value");
		});
	}

	/** A value Jackson cannot write: reading one of its properties fails. */
	public static final class Opaque {

		private final long id;

		Opaque(long id) {
			this.id = id;
		}

		public String getSecret() {
			throw new IllegalStateException("not serializable");
		}

		@Override
		public String toString() {
			return "Opaque" + this.id;
		}

	}

	public static class MalformedService {

		@ReadThrough(cache = "odd", key = "#id +")
		public String find(long id) {
			return "x";
		}

	}

	public static class OddService {

		private final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

		public java.util.concurrent.atomic.AtomicInteger calls() {
			return this.calls;
		}

		@ReadThrough(cache = "odd", key = "#name")
		public String byName(String name) {
			this.calls.incrementAndGet();
			return "name:" + name;
		}

		@ReadThrough(cache = "odd", key = "'opaque:' + #id")
		public Opaque opaque(long id) {
			return new Opaque(id);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class MalformedConfiguration {

		@Bean
		MalformedService malformedService() {
			return new MalformedService();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OddServiceConfiguration {

		@Bean
		OddService oddService() {
			return new OddService();
		}

	}

}
