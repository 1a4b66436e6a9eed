package dev.tieredcache.benchmarks;

import org.springframework.cache.Cache.ValueWrapper;
import org.springframework.context.ConfigurableApplicationContext;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;

/**
 * The starter as a {@link CacheInstance}: an application context with its
 * auto-configuration, reading through {@code @ReadThrough} and writing through
 * {@code @WriteThrough} on cache {@code products}.
 */
final class StarterInstance implements CacheInstance {

	private final ConfigurableApplicationContext context;

	private final StarterProducts products;

	private final TieredCache cache;

	StarterInstance(int port, String prefix, ProductSource source, String... properties) {
		this.context = Instances.starter(port, prefix, source, properties);
		this.products = this.context.getBean(StarterProducts.class);
		this.cache = this.context.getBean(TieredCacheManager.class).getCache("products");
	}

	@Override
	public Product get(long id) {
		return this.products.find(id);
	}

	/** The starter's batch read: {@code @ReadThroughAll} (cache {@code products-all}). */
	@Override
	public java.util.Map<Long, Product> getAll(java.util.List<Long> ids) {
		return this.products.findAll(ids);
	}

	@Override
	public void put(Product product) {
		this.products.save(product);
	}

	@Override
	public Product peekLocal(long id) {
		ValueWrapper wrapper = this.cache.peekLocal(TieredCache.encodeKey(id));
		return (wrapper != null) ? (Product) wrapper.get() : null;
	}

	/** Returns the instance's cache {@code products}, for reads without the annotation. */
	TieredCache tieredCache() {
		return this.cache;
	}

	@Override
	public void close() {
		this.context.close();
	}

}
