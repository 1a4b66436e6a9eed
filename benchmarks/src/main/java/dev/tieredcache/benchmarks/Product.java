package dev.tieredcache.benchmarks;

import java.io.Serializable;

/**
 * The cached value of every benchmark: a small record, serialized as JSON by the starter
 * and by the Spring reference alike. It is {@link Serializable} only because JetCache's
 * recommended value encoder is Java serialization (the starter never uses it).
 *
 * @param id the id
 * @param name the name
 * @param priceCents the price
 */
public record Product(long id, String name, long priceCents) implements Serializable {

}
