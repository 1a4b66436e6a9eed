package dev.tieredcache.benchmarks;

import java.util.List;
import java.util.Map;

import dev.tieredcache.annotation.InvalidateTags;
import dev.tieredcache.annotation.ReadThrough;
import dev.tieredcache.annotation.ReadThroughAll;
import dev.tieredcache.annotation.VersionedGroup;
import dev.tieredcache.annotation.WriteMode;
import dev.tieredcache.annotation.WriteThrough;

/**
 * The starter's side of every comparison: the same service as {@link SpringProducts},
 * cached with the starter's annotations.
 */
public class StarterProducts {

	private final ProductSource source;

	public StarterProducts(ProductSource source) {
		this.source = source;
	}

	@ReadThrough(cache = "products", key = "#id")
	public Product find(long id) {
		return this.source.load(id);
	}

	/** Many products in one call: the batch read-through of issue 13. */
	@ReadThroughAll(cache = "products-all")
	public Map<Long, Product> findAll(List<Long> ids) {
		return this.source.loadAll(ids);
	}

	/** A document of some 10 KB of JSON, for the compression scenario. */
	@ReadThrough(cache = "documents", key = "#id")
	public Document findDocument(long id) {
		return ProductSource.document(id, CompressionScenario.DOCUMENT_BYTES);
	}

	@ReadThrough(cache = "tagged-products", key = "#id", tags = { "'product:' + #id", "'catalog'" })
	public Product findTagged(long id) {
		return this.source.load(id);
	}

	@ReadThrough(cache = "versioned-products", key = "#id")
	@VersionedGroup("'catalog'")
	public Product findVersioned(long id) {
		return this.source.load(id);
	}

	@WriteThrough(cache = "products", key = "#product.id")
	public Product save(Product product) {
		return product;
	}

	@WriteThrough(cache = "products", key = "#id", mode = WriteMode.EVICT)
	public void delete(long id) {
	}

	@InvalidateTags("'catalog'")
	public void invalidateCatalog() {
	}

	@VersionedGroup(value = "'catalog'", bump = true)
	public void publishCatalog() {
	}

	@ReadThrough(cache = "catalog", key = "#catalog + ':' + #id", tags = "'catalog:' + #catalog")
	public Product findInCatalog(long catalog, long id) {
		return this.source.load(id);
	}

	@WriteThrough(cache = "catalog", key = "#catalog + ':' + #product.id", tags = "'catalog:' + #catalog")
	public Product saveInCatalog(long catalog, Product product) {
		return product;
	}

}
