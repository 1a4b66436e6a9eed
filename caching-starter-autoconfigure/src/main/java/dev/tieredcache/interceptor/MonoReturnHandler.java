package dev.tieredcache.interceptor;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/** {@code Mono} results: the value is cached, empty as null. */
final class MonoReturnHandler extends ReactiveReturnHandler {

	MonoReturnHandler(Scheduler scheduler) {
		super(scheduler);
	}

	@Override
	@SuppressWarnings("unchecked")
	Mono<@Nullable Object> value(Object returned) {
		return (Mono<@Nullable Object>) returned;
	}

	@Override
	Object publisher(Mono<@Nullable Object> value) {
		return value;
	}

	@Override
	Object wrap(@Nullable Object value) {
		return Mono.justOrEmpty(value);
	}

}
