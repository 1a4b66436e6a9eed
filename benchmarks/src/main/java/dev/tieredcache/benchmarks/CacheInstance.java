package dev.tieredcache.benchmarks;

/**
 * One application instance's cache as a contender of the peer scenarios offers it (issue
 * 15), reduced to what those scenarios need: a read-through read, a write that the other
 * instances must learn of, and a look at the local tier that does not touch Redis. Each
 * instance is built the way its library recommends (see {@link Contender}); several
 * instances of one contender on the same Redis stand for several JVMs of an application.
 */
interface CacheInstance extends AutoCloseable {

	/**
	 * Reads a product through the cache: from the local tier, else from Redis, else from
	 * the instance's {@link ProductSource}, with the contender's own miss handling.
	 * @param id the product's id
	 * @return the product
	 */
	Product get(long id);

	/**
	 * Reads many products through the cache at once, with the contender's own batch read
	 * where it has one (by default, one read per product: Spring's cache abstraction has no
	 * batch read).
	 * @param ids the products' ids
	 * @return the products by id
	 */
	default java.util.Map<Long, Product> getAll(java.util.List<Long> ids) {
		java.util.Map<Long, Product> products = new java.util.LinkedHashMap<>();
		for (Long id : ids) {
			products.put(id, get(id));
		}
		return products;
	}

	/**
	 * Writes a product through the cache, so that every instance stops serving the old
	 * value (by the contender's own invalidation channel).
	 * @param product the new value
	 */
	void put(Product product);

	/**
	 * Returns what this instance's local tier holds for a key, without touching Redis.
	 * @param id the product's id
	 * @return the product, or null when the local tier has no entry for it
	 * @throws UnsupportedOperationException when the contender has no local tier
	 */
	Product peekLocal(long id);

	/**
	 * Waits until every write this instance issued has reached Redis, for contenders whose
	 * writes return before Redis has them.
	 */
	default void awaitWrites() {
	}

	@Override
	void close();

}
