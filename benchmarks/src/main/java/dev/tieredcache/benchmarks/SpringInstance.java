package dev.tieredcache.benchmarks;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * A Spring {@code CacheManager} without a local tier as a {@link CacheInstance}: Spring's
 * {@code @Cacheable}/{@code @CachePut} on {@link SpringProducts}, backed by whatever
 * manager the context holds (Spring Data Redis's {@code RedisCacheManager} or Redisson's
 * {@code RedissonSpringCacheManager}).
 */
final class SpringInstance implements CacheInstance {

	private final ConfigurableApplicationContext context;

	private final SpringProducts products;

	private final boolean sync;

	/**
	 * Wraps a context.
	 * @param context the context, holding a {@link SpringProducts} bean
	 * @param sync whether reads use {@code @Cacheable(sync = true)}
	 */
	SpringInstance(ConfigurableApplicationContext context, boolean sync) {
		this.context = context;
		this.products = context.getBean(SpringProducts.class);
		this.sync = sync;
	}

	@Override
	public Product get(long id) {
		return this.sync ? this.products.findSync(id) : this.products.find(id);
	}

	@Override
	public void put(Product product) {
		this.products.save(product);
	}

	@Override
	public Product peekLocal(long id) {
		throw new UnsupportedOperationException("No local tier");
	}

	@Override
	public void close() {
		this.context.close();
	}

}
