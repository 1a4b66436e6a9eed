package dev.tieredcache.aot;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.BeanRegistrationAotContribution;
import org.springframework.beans.factory.aot.BeanRegistrationAotProcessor;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.beans.factory.support.RegisteredBean;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.javapoet.ClassName;

import dev.tieredcache.annotation.InvalidateTags;
import dev.tieredcache.annotation.ReadThrough;
import dev.tieredcache.annotation.WriteThrough;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runtime hints a native image needs: checked with {@link RuntimeHintsPredicates}
 * against what the starter actually loads.
 */
class TieredCacheRuntimeHintsTests {

	@Test
	void everyLuaScriptOfTheStarterIsARegisteredResource() throws IOException {
		RuntimeHints hints = new RuntimeHints();
		new TieredCacheRuntimeHints().registerHints(hints, getClass().getClassLoader());
		Resource[] scripts = new PathMatchingResourcePatternResolver()
			.getResources("classpath*:dev/tieredcache/redis/*.lua");
		assertThat(scripts).hasSizeGreaterThanOrEqualTo(6);
		for (Resource script : scripts) {
			assertThat(RuntimeHintsPredicates.resource().forResource("dev/tieredcache/redis/" + script.getFilename()))
				.as(script.getFilename())
				.accepts(hints);
		}
		assertThat(RuntimeHintsPredicates.resource().forResource("dev/tieredcache/other.txt")).rejects(hints);
	}

	@Test
	void theGettersOfTheExpressionRootCanBeInvokedReflectively() throws Exception {
		RuntimeHints hints = new RuntimeHints();
		new TieredCacheRuntimeHints().registerHints(hints, getClass().getClassLoader());
		Class<?> root = Class.forName(TieredCacheRuntimeHints.EXPRESSION_ROOT);
		for (String getter : List.of("getMethod", "getMethodName", "getArgs", "getTarget", "getTargetClass")) {
			assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(root, getter)).as(getter).accepts(hints);
		}
	}

	@Test
	void springAotFindsTheRegistrarAndTheProcessor() {
		SpringFactoriesLoader factories = SpringFactoriesLoader.forResourceLocation("META-INF/spring/aot.factories");
		assertThat(factories.load(RuntimeHintsRegistrar.class)).hasAtLeastOneElementOfType(TieredCacheRuntimeHints.class);
		assertThat(factories.load(BeanRegistrationAotProcessor.class))
			.hasAtLeastOneElementOfType(CachedMethodsAotProcessor.class);
	}

	@Test
	void theValueAndArgumentTypesOfCachedMethodsAreRegisteredForBinding() {
		RuntimeHints hints = process(Catalog.class);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Product.class, "name")).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Price.class, "getAmount")).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Review.class, "stars")).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(ProductUpdate.class, "sku")).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Move.class, "from")).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Team.class, "name")).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(NotCached.class)).rejects(hints);
	}

	@Test
	void aBeanWithoutCachedMethodsContributesNothing() {
		DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();
		beanFactory.registerBeanDefinition("plain", new RootBeanDefinition(NotCached.class));
		assertThat(new CachedMethodsAotProcessor().processAheadOfTime(RegisteredBean.of(beanFactory, "plain")))
			.isNull();
	}

	private static RuntimeHints process(Class<?> beanClass) {
		DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();
		beanFactory.registerBeanDefinition("bean", new RootBeanDefinition(beanClass));
		BeanRegistrationAotContribution contribution = new CachedMethodsAotProcessor()
			.processAheadOfTime(RegisteredBean.of(beanFactory, "bean"));
		assertThat(contribution).isNotNull();
		DefaultGenerationContext generation = new DefaultGenerationContext(
				new ClassNameGenerator(ClassName.get("com.example", "Test")), new InMemoryGeneratedFiles());
		contribution.applyTo(generation, null);
		return generation.getRuntimeHints();
	}

	static class Catalog {

		@ReadThrough(cache = "products", key = "#sku")
		public Optional<Product> product(String sku) {
			return Optional.empty();
		}

		@ReadThrough(cache = "reviews")
		public CompletableFuture<List<Review>> reviews(String sku) {
			return CompletableFuture.completedFuture(List.of());
		}

		@WriteThrough(cache = "products", key = "#update.sku")
		public Product update(ProductUpdate update) {
			return new Product("", "", null);
		}

		@InvalidateTags("'team:' + #result.from")
		public Move move(long user, long team) {
			return new Move(0, team);
		}

		@Cacheable("teams")
		public Team team(long id) {
			return new Team(id, "");
		}

		public NotCached other(NotCached value) {
			return value;
		}

	}

	record Product(String sku, String name, Price price) {
	}

	static class Price {

		private long amount;

		public long getAmount() {
			return this.amount;
		}

		public void setAmount(long amount) {
			this.amount = amount;
		}

	}

	record Review(int stars) {
	}

	record ProductUpdate(String sku, String name) {
	}

	record Move(long from, long to) {
	}

	record Team(long id, String name) {
	}

	record NotCached(String value) {
	}

}
