package dev.tieredcache.interceptor;

import java.lang.reflect.Method;
import java.util.Iterator;
import java.util.Optional;
import java.util.Spliterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.stream.BaseStream;

import org.jspecify.annotations.Nullable;

import org.springframework.core.ReactiveAdapterRegistry;
import org.springframework.util.ClassUtils;

/**
 * How an annotated method hands back its value, and so what the cache stores: the value
 * itself, the content of an {@code Optional}, the value a {@code CompletableFuture}
 * completes with, the value of a {@code Mono} or the list of a {@code Flux}. Decided once
 * per method when the bean is proxied; each kind has its {@link ReturnHandler}.
 *
 * <p>A return type whose value cannot be cached faithfully (a stream or iterator that can
 * be consumed once, a {@code Future} that cannot be awaited without blocking, a publisher
 * other than {@code Mono} and {@code Flux}) and a Kotlin {@code suspend} function are
 * refused here, so that the application fails at start-up instead of caching the wrong
 * thing.
 */
enum ReturnKind {

	/** A plain value. */
	PLAIN,

	/** An {@code Optional}: its content is cached, empty as null. */
	OPTIONAL,

	/** A {@code CompletableFuture} or {@code CompletionStage}: the value it completes with is cached. */
	FUTURE,

	/** A Reactor {@code Mono}: its value is cached, empty as null. */
	MONO,

	/** A Reactor {@code Flux}: the list of its elements is cached and emitted again. */
	FLUX;

	static final boolean REACTOR_PRESENT = ClassUtils.isPresent("reactor.core.publisher.Flux",
			ReturnKind.class.getClassLoader());

	private static final String MONO_CLASS = "reactor.core.publisher.Mono";

	private static final String FLUX_CLASS = "reactor.core.publisher.Flux";

	private static final String CONTINUATION_CLASS = "kotlin.coroutines.Continuation";

	/** Types refused by name, so that their libraries need not be on the class path. */
	private static final String[] REFUSED_BY_NAME = { "org.reactivestreams.Publisher",
			"kotlinx.coroutines.flow.Flow", "kotlinx.coroutines.Deferred" };

	/**
	 * Returns the kind of an annotated method.
	 * @param method the method
	 * @param annotation the annotation that asks for caching, for the message
	 * @return its kind
	 * @throws IllegalStateException naming the method when its return type is not supported
	 */
	static ReturnKind of(Method method, String annotation) {
		Class<?>[] parameters = method.getParameterTypes();
		if (parameters.length > 0 && CONTINUATION_CLASS.equals(parameters[parameters.length - 1].getName())) {
			throw new IllegalStateException(annotation + " on " + MethodDescriptions.describe(method)
					+ " is a Kotlin suspend function, which the tiered cache does not support: declare it as a "
					+ "function returning Mono<T> (or a plain value) instead");
		}
		Class<?> type = method.getReturnType();
		if (type == Optional.class) {
			return OPTIONAL;
		}
		if (type == CompletableFuture.class || type == CompletionStage.class) {
			return FUTURE;
		}
		if (type.getName().equals(MONO_CLASS)) {
			return MONO;
		}
		if (type.getName().equals(FLUX_CLASS)) {
			return FLUX;
		}
		String refused = refusal(type);
		if (refused != null) {
			throw new IllegalStateException(annotation + " on " + MethodDescriptions.describe(method) + " returns "
					+ type.getName() + ", which the tiered cache cannot cache faithfully (" + refused
					+ "): return a value, a List, an Optional, a CompletableFuture, a Mono or a Flux instead");
		}
		return PLAIN;
	}

	private static @Nullable String refusal(Class<?> type) {
		if (BaseStream.class.isAssignableFrom(type) || Iterator.class.isAssignableFrom(type)
				|| Spliterator.class.isAssignableFrom(type)) {
			return "it can be consumed only once";
		}
		if (CompletionStage.class.isAssignableFrom(type)) {
			return "a cached value can be handed back only as a CompletableFuture";
		}
		if (Future.class.isAssignableFrom(type)) {
			return "a Future cannot be awaited without blocking";
		}
		if (Flow.Publisher.class.isAssignableFrom(type) || isNamed(type)
				|| ReactiveAdapterRegistry.getSharedInstance().getAdapter(type) != null) {
			return "of the asynchronous types only Mono, Flux and CompletableFuture are supported";
		}
		return null;
	}

	private static boolean isNamed(Class<?> type) {
		for (String name : REFUSED_BY_NAME) {
			if (isAssignable(type, name)) {
				return true;
			}
		}
		return false;
	}

	private static boolean isAssignable(@Nullable Class<?> type, String name) {
		if (type == null) {
			return false;
		}
		if (type.getName().equals(name)) {
			return true;
		}
		for (Class<?> implemented : type.getInterfaces()) {
			if (isAssignable(implemented, name)) {
				return true;
			}
		}
		return isAssignable(type.getSuperclass(), name);
	}

}
