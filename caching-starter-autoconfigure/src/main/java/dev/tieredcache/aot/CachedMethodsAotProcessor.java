package dev.tieredcache.aot;

import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.beans.factory.aot.BeanRegistrationAotContribution;
import org.springframework.beans.factory.aot.BeanRegistrationAotProcessor;
import org.springframework.beans.factory.support.RegisteredBean;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.annotation.MergedAnnotations.SearchStrategy;
import org.springframework.util.ReflectionUtils;

import dev.tieredcache.annotation.InvalidateTags;
import dev.tieredcache.annotation.ReadThrough;
import dev.tieredcache.annotation.VersionedGroup;
import dev.tieredcache.annotation.WriteThrough;

/**
 * Registers, for a native image, binding reflection hints for the types the starter reads
 * and writes reflectively on a bean's cached methods: the values of the methods with one of
 * the starter's annotations or Spring's {@code @Cacheable} / {@code @CachePut} (the return
 * type, inside an {@code Optional} or a {@code CompletableFuture}), which the JSON serializer
 * writes to Redis and reads back by class name and {@code #result} navigates; and the
 * parameter types of the methods with one of the starter's annotations, which SpEL
 * expressions such as {@code #user.id} navigate.
 *
 * <p>Expressions that call beans ({@code @keys.of(#id)}) or navigate into types the method
 * signature does not show need hints of the application's own.
 */
public class CachedMethodsAotProcessor implements BeanRegistrationAotProcessor {

	private static final List<Class<? extends Annotation>> CACHED_VALUES = List.of(ReadThrough.class,
			WriteThrough.class, Cacheable.class, CachePut.class);

	private static final List<Class<? extends Annotation>> EXPRESSIONS = List.of(ReadThrough.class,
			WriteThrough.class, InvalidateTags.class, VersionedGroup.class);

	@Override
	public @Nullable BeanRegistrationAotContribution processAheadOfTime(RegisteredBean registeredBean) {
		Class<?> beanClass = registeredBean.getBeanClass();
		if (beanClass.getName().startsWith("org.springframework.")) {
			return null;
		}
		Set<Type> types = typesOf(beanClass);
		if (types.isEmpty()) {
			return null;
		}
		return (generationContext, code) -> new BindingReflectionHintsRegistrar()
			.registerReflectionHints(generationContext.getRuntimeHints().reflection(), types.toArray(Type[]::new));
	}

	/**
	 * Returns the types to register for one bean class: empty if it has no cached method.
	 * @param beanClass the bean class
	 * @return the value and parameter types of its cached methods
	 */
	static Set<Type> typesOf(Class<?> beanClass) {
		Set<Type> types = new LinkedHashSet<>();
		ReflectionUtils.doWithMethods(beanClass, (method) -> {
			MergedAnnotations annotations = MergedAnnotations.from(method, SearchStrategy.TYPE_HIERARCHY);
			boolean expressions = hasAny(annotations, EXPRESSIONS);
			if (expressions || hasAny(annotations, CACHED_VALUES)) {
				// The cached value, and what #result navigates.
				types.add(unwrapped(ResolvableType.forMethodReturnType(method, beanClass)));
			}
			if (expressions) {
				for (int i = 0; i < method.getParameterCount(); i++) {
					types.add(ResolvableType.forMethodParameter(method, i, beanClass).getType());
				}
			}
		}, ReflectionUtils.USER_DECLARED_METHODS);
		types.removeIf((type) -> type == void.class || type == Void.class || type == Object.class);
		return types;
	}

	private static boolean hasAny(MergedAnnotations annotations, List<Class<? extends Annotation>> types) {
		for (Class<? extends Annotation> type : types) {
			if (annotations.isPresent(type)) {
				return true;
			}
		}
		return false;
	}

	/** The type of the value that is cached: the content of an Optional or a future. */
	private static Type unwrapped(ResolvableType returnType) {
		Class<?> raw = returnType.resolve(Object.class);
		if (Optional.class == raw || Future.class.isAssignableFrom(raw) || CompletionStage.class.isAssignableFrom(raw)) {
			return returnType.getGeneric(0).getType();
		}
		return returnType.getType();
	}

}
