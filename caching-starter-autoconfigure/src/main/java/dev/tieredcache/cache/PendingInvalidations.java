package dev.tieredcache.cache;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.tieredcache.redis.RedisUnavailableException;

/**
 * Invalidations that could not reach Redis, kept to be applied when it answers again, so
 * that an entry Redis kept through an outage (a partition, a paused server) is not served
 * after the write that should have removed it.
 *
 * <p>Requests are deduplicated by name, so the memory they take is bounded by the number of
 * distinct keys, tags and groups touched during the outage; past {@value #LIMIT} of them,
 * everything collapses into one clear of every cache, which is always safe. Replay happens
 * before L1 is cleared on reconnect. Thread-safe.
 */
final class PendingInvalidations {

	static final int LIMIT = 10_000;

	private static final Log logger = LogFactory.getLog(PendingInvalidations.class);

	private final Map<TieredCache, Set<String>> keys = new ConcurrentHashMap<>();

	private final Set<TieredCache> clears = ConcurrentHashMap.newKeySet();

	private final Set<String> tags = ConcurrentHashMap.newKeySet();

	private final Set<String> groups = ConcurrentHashMap.newKeySet();

	private final AtomicBoolean overflowed = new AtomicBoolean();

	private final java.util.concurrent.atomic.AtomicInteger size = new java.util.concurrent.atomic.AtomicInteger();

	void key(TieredCache cache, String key) {
		if (!this.clears.contains(cache) && this.keys.computeIfAbsent(cache, (c) -> ConcurrentHashMap.newKeySet())
			.add(key)) {
			grew();
		}
	}

	void clear(TieredCache cache) {
		if (this.clears.add(cache)) {
			grew();
		}
	}

	void tag(String tag) {
		if (this.tags.add(tag)) {
			grew();
		}
	}

	void group(String group) {
		if (this.groups.add(group)) {
			grew();
		}
	}

	private void grew() {
		if (this.size.incrementAndGet() > LIMIT && this.overflowed.compareAndSet(false, true)) {
			logger.warn("More than " + LIMIT + " invalidations are waiting for Redis; every cache will be "
					+ "cleared when it answers again");
		}
	}

	boolean isEmpty() {
		return this.size.get() == 0;
	}

	/** Returns how many invalidations wait for Redis (a cache to clear counts as one). */
	int size() {
		return Math.max(0, this.size.get());
	}

	/**
	 * Applies what is pending; whatever fails again stays pending for the next reconnect.
	 * @param caches every cache, cleared as a whole after an overflow
	 * @param services the shared services
	 */
	void replay(Iterable<TieredCache> caches, CacheServices services) {
		if (this.overflowed.getAndSet(false)) {
			this.keys.clear();
			this.tags.clear();
			this.groups.clear();
			this.clears.clear();
			this.size.set(0);
			for (TieredCache cache : caches) {
				this.clears.add(cache);
				this.size.incrementAndGet();
			}
		}
		replayEach(this.clears, (cache) -> services.epochs().bump(cache.encodedName()));
		this.keys.forEach((cache, pending) -> replayEach(pending, cache::deleteRemote));
		replayEach(this.tags, (tag) -> services.tags().bump(tag));
		replayEach(this.groups, (group) -> services.groups().bump(group));
	}

	private <T> void replayEach(Set<T> pending, java.util.function.Consumer<T> action) {
		for (T item : pending) {
			try {
				action.accept(item);
				pending.remove(item);
				this.size.decrementAndGet();
			}
			catch (RedisUnavailableException ex) {
				return;
			}
		}
	}

}
