package dev.tieredcache.warmup;

/**
 * Loads the entries that must be cached before an instance takes traffic, even after the
 * whole fleet started cold (Redis empty). Declare implementations as beans: they run once
 * at start-up, after the L1 warm-up from Redis and before Boot reports the application
 * ready ({@code ReadinessState.ACCEPTING_TRAFFIC}), in {@link org.springframework.core.Ordered
 * order}.
 *
 * <p>An implementation calls the application's own cached methods ({@code @ReadThrough},
 * {@code @ReadThroughAll}) through their proxies, never the database directly: the values
 * then go through the normal read-through path, so Redis already holding them costs one
 * round trip, and instances starting together load each key once (the cross-instance load
 * lock makes the others wait for the first one's value):
 *
 * <pre class="code">
 * &#64;Bean
 * TieredCacheWarmer criticalProducts(ProductService products) {
 *     return () -&gt; products.findAll(List.of(1L, 2L, 3L)); // a &#64;ReadThroughAll method
 * }
 * </pre>
 *
 * A warmer that throws is logged at WARN (its exception's class only; the stack trace at
 * DEBUG) and start-up goes on: the keys are then loaded by the first reads, as without it.
 */
@FunctionalInterface
public interface TieredCacheWarmer {

	/**
	 * Reads the critical keys through the application's cached methods.
	 * @throws Exception if a read fails
	 */
	void warm() throws Exception;

}
