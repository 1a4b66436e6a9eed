package dev.tieredcache.interceptor;

import org.jspecify.annotations.Nullable;

/** Plain values: cached and returned as they are. */
final class PlainReturnHandler extends ReturnHandler {

	@Override
	@Nullable Object await(@Nullable Object returned) {
		return returned;
	}

	@Override
	@Nullable Object wrap(@Nullable Object value) {
		return value;
	}

}
