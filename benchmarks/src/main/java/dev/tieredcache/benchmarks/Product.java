package dev.tieredcache.benchmarks;

/**
 * The cached value of every benchmark: a small record, serialized as JSON by the starter
 * and by the Spring reference alike.
 *
 * @param id the id
 * @param name the name
 * @param priceCents the price
 */
public record Product(long id, String name, long priceCents) {

}
