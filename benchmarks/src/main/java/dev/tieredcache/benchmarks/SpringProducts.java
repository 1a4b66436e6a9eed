package dev.tieredcache.benchmarks;

import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;

/**
 * The reference side of every comparison: the same service as {@link StarterProducts},
 * cached with Spring's own annotations on whatever {@code CacheManager} the context holds.
 */
public class SpringProducts {

	private final ProductSource source;

	public SpringProducts(ProductSource source) {
		this.source = source;
	}

	@Cacheable(cacheNames = "products", key = "#id")
	public Product find(long id) {
		return this.source.load(id);
	}

	@Cacheable(cacheNames = "products", key = "#id", sync = true)
	public Product findSync(long id) {
		return this.source.load(id);
	}

	@CachePut(cacheNames = "products", key = "#product.id")
	public Product save(Product product) {
		return product;
	}

	@CacheEvict(cacheNames = "products", key = "#id")
	public void delete(long id) {
	}

}
