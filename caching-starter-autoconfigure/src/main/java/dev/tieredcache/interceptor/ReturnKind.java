package dev.tieredcache.interceptor;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

/**
 * How an annotated method hands back its value, and so what the cache stores: the value
 * itself, the content of an {@code Optional}, or the value a {@code CompletableFuture}
 * completes with.
 */
enum ReturnKind {

	/** A plain value. */
	PLAIN {

		@Override
		@Nullable Object unwrap(@Nullable Object returned) {
			return returned;
		}

		@Override
		@Nullable Object wrap(@Nullable Object value) {
			return value;
		}

	},

	/** An {@code Optional}: its content is cached, empty as null. */
	OPTIONAL {

		@Override
		@Nullable Object unwrap(@Nullable Object returned) {
			return (returned != null) ? ((Optional<?>) returned).orElse(null) : null;
		}

		@Override
		Object wrap(@Nullable Object value) {
			return Optional.ofNullable(value);
		}

	},

	/** A {@code CompletableFuture}: the value it completes with is cached. */
	FUTURE {

		@Override
		@Nullable Object unwrap(@Nullable Object returned) {
			return (returned != null) ? ((CompletableFuture<?>) returned).join() : null;
		}

		@Override
		Object wrap(@Nullable Object value) {
			return CompletableFuture.completedFuture(value);
		}

	};

	/** Returns the value to cache from what the method returned. */
	abstract @Nullable Object unwrap(@Nullable Object returned);

	/** Returns what the method's caller expects from a cached value. */
	abstract @Nullable Object wrap(@Nullable Object value);

	static ReturnKind of(Class<?> returnType) {
		if (Optional.class == returnType) {
			return OPTIONAL;
		}
		if (CompletableFuture.class.isAssignableFrom(returnType)) {
			return FUTURE;
		}
		return PLAIN;
	}

}
