package dev.tieredcache.interceptor;

import java.util.Optional;

import org.jspecify.annotations.Nullable;

/** {@code Optional} results: the content is cached, empty as null. */
final class OptionalReturnHandler extends ReturnHandler {

	@Override
	@Nullable Object await(@Nullable Object returned) {
		return (returned != null) ? ((Optional<?>) returned).orElse(null) : null;
	}

	@Override
	Object wrap(@Nullable Object value) {
		return Optional.ofNullable(value);
	}

}
