package dev.tieredcache.interceptor;

import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * {@code Flux} results: the list of the elements is cached (and is {@code #result}), and
 * the caller gets a {@code Flux} that emits it again. The elements therefore reach the
 * caller once the method's {@code Flux} has completed, not one by one.
 */
final class FluxReturnHandler extends ReactiveReturnHandler {

	FluxReturnHandler(Scheduler scheduler) {
		super(scheduler);
	}

	@Override
	@SuppressWarnings("unchecked")
	Mono<@Nullable Object> value(Object returned) {
		return (Mono<@Nullable Object>) (Mono<?>) ((Flux<?>) returned).collectList();
	}

	@Override
	Object publisher(Mono<@Nullable Object> value) {
		return value.flatMapIterable(FluxReturnHandler::elements);
	}

	@Override
	Object wrap(@Nullable Object value) {
		return Flux.fromIterable(elements(value));
	}

	private static List<?> elements(@Nullable Object value) {
		return (value != null) ? (List<?>) value : List.of();
	}

}
