package dev.tieredcache.batch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import dev.tieredcache.cache.CacheKeyEncoder;

/**
 * One batch read: its distinct keys in request order (two keys with the same
 * {@linkplain CacheKeyEncoder#encodeKey encoding} are one entry, read once), how to load
 * the missing ones, and per key the tags its entry carries and whether a loaded value is
 * cached. Immutable.
 */
public final class BatchRequest {

	private static final String[] NO_TAGS = new String[0];

	private final List<Object> keys;

	private final List<String> encodedKeys;

	private final @Nullable BatchLoader loader;

	private final Function<Object, String[]> tags;

	private final BiFunction<Object, @Nullable Object, String @Nullable []> valueTags;

	private final BiPredicate<Object, @Nullable Object> storable;

	private BatchRequest(List<Object> keys, List<String> encodedKeys, @Nullable BatchLoader loader,
			Function<Object, String[]> tags, BiFunction<Object, @Nullable Object, String @Nullable []> valueTags,
			BiPredicate<Object, @Nullable Object> storable) {
		this.keys = keys;
		this.encodedKeys = encodedKeys;
		this.loader = loader;
		this.tags = tags;
		this.valueTags = valueTags;
		this.storable = storable;
	}

	/**
	 * A batch with no tags whose loaded values are all cached.
	 * @param keys the keys, none null
	 * @param loader loads the missing keys, or null to only read
	 * @return the request
	 * @throws IllegalArgumentException if a key is null
	 */
	public static BatchRequest of(Collection<?> keys, @Nullable BatchLoader loader) {
		Map<String, Object> distinct = new LinkedHashMap<>();
		for (Object key : keys) {
			distinct.putIfAbsent(CacheKeyEncoder.encodeKey(key), key);
		}
		return new BatchRequest(new ArrayList<>(distinct.values()), new ArrayList<>(distinct.keySet()), loader,
				(key) -> NO_TAGS, (key, value) -> NO_TAGS, (key, value) -> true);
	}

	/**
	 * Returns this batch with per-key tags and a veto.
	 * @param tags the encoded tags and groups of a key's entry, known before loading it
	 * @param valueTags the encoded tags computed from a key's loaded value; null when they
	 * cannot be computed, which keeps the value out of the cache
	 * @param storable whether a key's loaded value is cached
	 * @return the new request
	 */
	public BatchRequest withTags(Function<Object, String[]> tags,
			BiFunction<Object, @Nullable Object, String @Nullable []> valueTags,
			BiPredicate<Object, @Nullable Object> storable) {
		return new BatchRequest(this.keys, this.encodedKeys, this.loader, tags, valueTags, storable);
	}

	/** Returns the distinct keys, in request order. */
	public List<Object> keys() {
		return this.keys;
	}

	List<String> encodedKeys() {
		return this.encodedKeys;
	}

	@Nullable BatchLoader loader() {
		return this.loader;
	}

	String[] tags(Object key) {
		return this.tags.apply(key);
	}

	String @Nullable [] valueTags(Object key, @Nullable Object value) {
		return this.valueTags.apply(key, value);
	}

	boolean storable(Object key, @Nullable Object value) {
		return this.storable.test(key, value);
	}

}
