package dev.tieredcache.interceptor;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.annotation.MergedAnnotations.SearchStrategy;
import org.springframework.core.annotation.RepeatableContainers;

import dev.tieredcache.annotation.InvalidateTags;
import dev.tieredcache.annotation.ReadThrough;
import dev.tieredcache.annotation.VersionedGroup;
import dev.tieredcache.annotation.WriteBehind;
import dev.tieredcache.annotation.WriteThrough;

/**
 * Finds the methods of a class that carry one of the starter's four annotations, where the
 * advice would find them (on the method, an overridden method or an interface method), and
 * without parsing them: used to tell an application that such methods would run uncached.
 */
public final class CacheAnnotatedMethods {

	private static final List<Class<? extends Annotation>> ANNOTATIONS = List.of(ReadThrough.class,
			WriteThrough.class, InvalidateTags.class, VersionedGroup.class, WriteBehind.class);

	private CacheAnnotatedMethods() {
	}

	/**
	 * Describes every method of the class that carries one of the annotations, as
	 * {@code @ReadThrough on UserService.find(long)}.
	 * @param type the class of a bean
	 * @return the descriptions, in no particular order; empty if there are none
	 */
	public static List<String> describe(Class<?> type) {
		Map<Method, String> annotated = MethodIntrospector.selectMethods(type,
				(MethodIntrospector.MetadataLookup<String>) CacheAnnotatedMethods::firstAnnotation);
		List<String> descriptions = new ArrayList<>(annotated.size());
		annotated.forEach((method, annotation) -> descriptions
			.add("@" + annotation + " on " + MethodDescriptions.describe(method)));
		return descriptions;
	}

	private static @Nullable String firstAnnotation(Method method) {
		MergedAnnotations annotations = MergedAnnotations.from(method, SearchStrategy.TYPE_HIERARCHY,
				RepeatableContainers.standardRepeatables());
		for (Class<? extends Annotation> annotation : ANNOTATIONS) {
			if (annotations.isPresent(annotation)) {
				return annotation.getSimpleName();
			}
		}
		return null;
	}

}
