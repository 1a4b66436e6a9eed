package dev.tieredcache.batch;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

import dev.tieredcache.cache.CacheInternals;
import dev.tieredcache.cache.CacheInternals.NotedVersions;
import dev.tieredcache.cache.InFlightLoads;
import dev.tieredcache.redis.RedisStore.LoadTicket;

/**
 * One key of a batch read and where its read stands. Used by the one thread that runs the
 * batch; only its in-flight future is seen by other threads.
 */
final class BatchElement {

	final Object key;

	final String encoded;

	String entryId = "";

	String[] tags = new String[0];

	long stamp;

	@Nullable NotedVersions noted;

	@Nullable LoadTicket ticket;

	/** Whether the last read of Redis found a value for the key (current or not). */
	boolean sawValue;

	/** Whether Redis holds a pending write-behind value of the key this instance cannot read. */
	boolean unreadablePending;

	/** This batch's claim on the key in the JVM's loads in flight, until it is resolved. */
	@Nullable CompletableFuture<Object> claim;

	/** Another caller's load of the key in this JVM, joined instead of claiming it. */
	@Nullable CompletableFuture<Object> joined;

	/** Completed when another instance's load of the key finishes. */
	@Nullable CompletableFuture<Void> wake;

	/** When this batch began waiting for another instance's load of the key, or 0. */
	long waitStarted;

	private boolean resolved;

	private @Nullable Object value;

	BatchElement(Object key, String encoded) {
		this.key = key;
		this.encoded = encoded;
	}

	/**
	 * Records the key's value and hands it to whoever in this JVM joined this batch's claim.
	 */
	void resolve(@Nullable Object value, InFlightLoads inFlight) {
		this.value = value;
		this.resolved = true;
		CompletableFuture<Object> mine = this.claim;
		if (mine != null) {
			this.claim = null;
			inFlight.finish(this.encoded, mine, value);
		}
	}

	boolean isResolved() {
		return this.resolved;
	}

	@Nullable Object value() {
		return this.value;
	}

	static List<String> entryIds(List<BatchElement> elements) {
		return elements.stream().map((element) -> element.entryId).toList();
	}

	static void prepare(List<BatchElement> elements, CacheInternals cache) {
		for (BatchElement element : elements) {
			element.stamp = cache.stamp(element.encoded);
			element.entryId = cache.entryId(element.encoded);
		}
	}

}
