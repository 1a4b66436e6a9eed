package dev.tieredcache.metrics;

import java.util.function.Supplier;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import dev.tieredcache.cache.CacheObserver;
import dev.tieredcache.cache.ValueLoader;
import dev.tieredcache.metrics.CacheObservationContext.Step;

/**
 * Observes a tiered cache's loads ({@code tiered.cache.load}) and Redis reads
 * ({@code tiered.cache.l2.read}) with Micrometer's Observation API, so that a tracer shows
 * them inside a request's trace (the loader's own work, a database query, nests under the
 * load) and a meter handler times them. L1 hits are never observed.
 *
 * <p>Each step runs in the observation's scope, on the calling thread. The outcome is a
 * low-cardinality key value: {@code success} or {@code failure} for a load, {@code hit},
 * {@code miss} or {@code error} (Redis unavailable, or the circuit open) for a read. A failed
 * load or read is also recorded as the observation's error. With a no-op registry, or one
 * without handlers, nothing is created.
 */
public class ObservationCacheObserver implements CacheObserver {

	private final ObservationRegistry registry;

	/**
	 * Creates the observer.
	 * @param registry the application's observation registry
	 */
	public ObservationCacheObserver(ObservationRegistry registry) {
		this.registry = registry;
	}

	@Override
	public @Nullable Object load(String cacheName, ValueLoader loader) throws Throwable {
		if (this.registry.isNoop()) {
			return loader.load();
		}
		CacheObservationContext context = new CacheObservationContext(cacheName, Step.LOAD);
		Observation observation = start(DefaultCacheObservationConvention.LOAD, context);
		try (Observation.Scope scope = observation.openScope()) {
			Object value = loader.load();
			context.setOutcome("success");
			return value;
		}
		catch (Throwable ex) {
			context.setOutcome("failure");
			observation.error(ex);
			throw ex;
		}
		finally {
			observation.stop();
		}
	}

	@Override
	public <T> @Nullable T readRemote(String cacheName, Supplier<@Nullable T> read) {
		if (this.registry.isNoop()) {
			return read.get();
		}
		CacheObservationContext context = new CacheObservationContext(cacheName, Step.L2_READ);
		Observation observation = start(DefaultCacheObservationConvention.L2_READ, context);
		try (Observation.Scope scope = observation.openScope()) {
			T entry = read.get();
			context.setOutcome((entry != null) ? "hit" : "miss");
			return entry;
		}
		catch (RuntimeException ex) {
			context.setOutcome("error");
			observation.error(ex);
			throw ex;
		}
		finally {
			observation.stop();
		}
	}

	private Observation start(DefaultCacheObservationConvention convention, CacheObservationContext context) {
		return Observation.createNotStarted(null, convention, () -> context, this.registry).start();
	}

}
