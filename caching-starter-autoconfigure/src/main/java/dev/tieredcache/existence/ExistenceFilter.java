package dev.tieredcache.existence;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.tieredcache.redis.RedisExistenceStore;
import dev.tieredcache.redis.RedisExistenceStore.Begin;
import dev.tieredcache.redis.RedisExistenceStore.Check;
import dev.tieredcache.redis.RedisKeyLayout;
import dev.tieredcache.redis.RedisStore;
import dev.tieredcache.redis.RedisUnavailableException;

/**
 * The existence filter of one cache: a Bloom filter in Redis of the keys that exist in the
 * source of truth, asked on a real miss (L1 and L2 both missed) before the loader runs. A
 * key it has never seen is certainly absent and its loader is not called; a key it has seen
 * may exist (or be one of the configured share of false positives) and goes on to the
 * loader.
 *
 * <p><b>It fails open.</b> When there is no filter in Redis (never built, evicted, flushed,
 * being replaced after a change of sizing), when Redis does not answer, and while writes of
 * this instance wait to be added, every key goes to the loader; a cache failure never turns
 * into a wrong "absent".
 *
 * <p><b>Writes add.</b> A key written through the cache ({@code @WriteThrough}, the Cache
 * API's {@code put}, {@code @WriteBehind}) is added, to the filter being rebuilt too if a
 * rebuild is under way, so that no rebuild loses it. An add Redis does not take is kept and
 * replayed until it lands; if more than {@value #MAX_PENDING} wait, the filter is dropped
 * (every instance then lets every key through) and rebuilt. Keys are never removed: a
 * deleted key passes until the next rebuild.
 *
 * <p>Thread-safe.
 */
public final class ExistenceFilter {

	private static final Log logger = LogFactory.getLog(ExistenceFilter.class);

	/** The most adds kept for replay; past it the filter is dropped and rebuilt. */
	static final int MAX_PENDING = 10_000;

	/** Keys per batch of a rebuild, and per replayed add. */
	private static final int BATCH = 1000;

	private final String cacheName;

	private final BloomSizing sizing;

	private final RedisExistenceStore store;

	private final String instanceId;

	private final Set<String> pending = ConcurrentHashMap.newKeySet();

	private volatile boolean overflowed;

	private volatile Runnable onMissing = () -> {
	};

	private final LongAdder rejected = new LongAdder();

	private final LongAdder passed = new LongAdder();

	private final LongAdder skipped = new LongAdder();

	/**
	 * Creates the filter of a cache.
	 * @param cacheName the cache name
	 * @param encodedName the encoded cache name
	 * @param sizing the filter's size
	 * @param store the Redis tier
	 */
	public ExistenceFilter(String cacheName, String encodedName, BloomSizing sizing, RedisStore store) {
		this.cacheName = cacheName;
		this.sizing = sizing;
		this.store = new RedisExistenceStore(store, RedisKeyLayout.filterId(encodedName, sizing.shape()));
		this.instanceId = store.instanceId();
	}

	/** Returns the name of the cache this filter guards. */
	public String cacheName() {
		return this.cacheName;
	}

	/** Returns the filter's size. */
	public BloomSizing sizing() {
		return this.sizing;
	}

	/** Returns the Redis key of the filter. */
	public String redisKey() {
		return this.store.filterKey();
	}

	/**
	 * Sets what happens when a check finds no filter in Redis (a rebuild, rate-limited by
	 * the caller).
	 * @param onMissing the action, run on the reading thread: it must not block
	 */
	public void onMissing(Runnable onMissing) {
		this.onMissing = onMissing;
	}

	/**
	 * Asks whether a key may exist: one round trip. Counted as rejected, passed or skipped.
	 * @param key the encoded key
	 * @return false only if the filter is in Redis, answered, and has never seen the key
	 */
	public boolean mightContain(String key) {
		if (this.overflowed || !this.pending.isEmpty()) {
			// This instance's own writes are not all in the filter yet.
			this.skipped.increment();
			return true;
		}
		Check check;
		try {
			check = this.store.check(this.sizing.offsets(key));
		}
		catch (RedisUnavailableException ex) {
			this.skipped.increment();
			return true;
		}
		switch (check) {
			case ABSENT -> {
				this.rejected.increment();
				return false;
			}
			case MAY_EXIST -> this.passed.increment();
			case NO_FILTER -> {
				this.skipped.increment();
				this.onMissing.run();
			}
		}
		return true;
	}

	/**
	 * Asks whether each of several keys may exist: one round trip for all of them. Counted
	 * as {@link #mightContain} counts one key.
	 * @param keys the encoded keys
	 * @return per key, false only if the filter is in Redis, answered, and has never seen it
	 */
	public boolean[] mightContainAll(List<String> keys) {
		boolean[] all = new boolean[keys.size()];
		java.util.Arrays.fill(all, true);
		if (keys.isEmpty()) {
			return all;
		}
		if (this.overflowed || !this.pending.isEmpty()) {
			this.skipped.add(keys.size());
			return all;
		}
		boolean[] answers;
		try {
			answers = this.store.checkAll(this.sizing.hashes(), offsets(keys));
		}
		catch (RedisUnavailableException ex) {
			this.skipped.add(keys.size());
			return all;
		}
		if (answers == null || answers.length != keys.size()) {
			this.skipped.add(keys.size());
			this.onMissing.run();
			return all;
		}
		for (int i = 0; i < answers.length; i++) {
			(answers[i] ? this.passed : this.rejected).increment();
		}
		return answers;
	}

	/**
	 * Adds a key that now exists in the source of truth; kept for replay if Redis does not
	 * take it.
	 * @param key the encoded key
	 */
	public void add(String key) {
		try {
			this.store.add(this.sizing.offsets(key));
		}
		catch (RedisUnavailableException ex) {
			remember(key);
		}
	}

	private void remember(String key) {
		if (this.overflowed) {
			return;
		}
		if (this.pending.size() >= MAX_PENDING) {
			this.overflowed = true;
			this.pending.clear();
			return;
		}
		this.pending.add(key);
	}

	/**
	 * Returns how many adds wait for Redis.
	 * @return the number of keys, or {@value #MAX_PENDING} once the filter is to be dropped
	 */
	public int pendingAdds() {
		return this.overflowed ? MAX_PENDING : this.pending.size();
	}

	/**
	 * Replays the adds Redis did not take; after too many, drops the filter instead (every
	 * instance then lets every key through) and asks for a rebuild.
	 * @throws RedisUnavailableException if Redis did not take them; they are kept
	 */
	public void replay() {
		if (this.overflowed) {
			this.store.drop();
			this.overflowed = false;
			logger.warn("The existence filter of cache '" + this.cacheName + "' was dropped: more than "
					+ MAX_PENDING + " writes could not be added while Redis was unreachable; every key goes to the "
					+ "loader until it is rebuilt");
			this.onMissing.run();
			return;
		}
		if (this.pending.isEmpty()) {
			return;
		}
		List<String> batch = new ArrayList<>(BATCH);
		Iterator<String> keys = this.pending.iterator();
		while (keys.hasNext()) {
			batch.add(keys.next());
			if (batch.size() == BATCH || !keys.hasNext()) {
				this.store.add(offsets(batch));
				// A key written again meanwhile was added again by that write (or is pending
				// again): removing it is safe either way, since this add landed.
				this.pending.removeAll(batch);
				batch.clear();
			}
		}
	}

	/**
	 * Builds the filter anew from the keys that exist, without losing keys written
	 * meanwhile: a new filter is built beside the current one (which keeps answering), writes
	 * add to both while it is built, and it then replaces the current one atomically.
	 * @param keys opens the encoded keys that exist, only once the rebuild's lock is taken
	 * (so that instances that find the filter present or being built do not query the
	 * source); the stream is closed here
	 * @param onlyIfMissing whether to build only when there is no filter (start-up)
	 * @return the outcome
	 * @throws RedisUnavailableException if Redis failed; the rebuild is abandoned and the
	 * current filter stays
	 */
	public Rebuild rebuild(Supplier<? extends Stream<String>> keys, boolean onlyIfMissing) {
		String token = this.instanceId + ':' + UUID.randomUUID();
		long lease = BUILD_LEASE_MILLIS;
		Begin begin = this.store.begin(token, lease, this.sizing.bits(), onlyIfMissing);
		if (begin != Begin.STARTED) {
			return new Rebuild((begin == Begin.BUSY) ? Outcome.BUSY : Outcome.PRESENT, 0);
		}
		boolean done = false;
		long added = 0;
		try (Stream<String> existing = keys.get()) {
			List<String> batch = new ArrayList<>(BATCH);
			Iterator<String> iterator = existing.iterator();
			while (iterator.hasNext()) {
				batch.add(iterator.next());
				if (batch.size() == BATCH || !iterator.hasNext()) {
					if (!this.store.fill(token, lease, offsets(batch))) {
						return new Rebuild(Outcome.LOST, added);
					}
					added += batch.size();
					batch.clear();
				}
			}
			done = this.store.swap(token);
			if (done && logger.isDebugEnabled()) {
				logger.debug("Rebuilt the existence filter of cache '" + this.cacheName + "' from " + added + " keys");
			}
			return new Rebuild(done ? Outcome.REBUILT : Outcome.LOST, added);
		}
		finally {
			if (!done) {
				abortQuietly(token);
			}
		}
	}

	/** Lease of a rebuild's lock and of the filter it builds, renewed by every batch. */
	static final long BUILD_LEASE_MILLIS = 60_000;

	private void abortQuietly(String token) {
		try {
			this.store.abort(token);
		}
		catch (RedisUnavailableException ex) {
			// The lease runs out.
		}
	}

	private long[] offsets(List<String> keys) {
		int k = this.sizing.hashes();
		long[] all = new long[keys.size() * k];
		for (int i = 0; i < keys.size(); i++) {
			System.arraycopy(this.sizing.offsets(keys.get(i)), 0, all, i * k, k);
		}
		return all;
	}

	/** Returns how many misses the filter answered "absent": loads saved. */
	public long rejected() {
		return this.rejected.sum();
	}

	/** Returns how many misses the filter let through after a check (may exist). */
	public long passed() {
		return this.passed.sum();
	}

	/**
	 * Returns how many misses went to the loader unchecked: no filter in Redis, Redis
	 * unreachable, or adds of this instance waiting for Redis.
	 */
	public long skipped() {
		return this.skipped.sum();
	}

	/**
	 * What a rebuild did.
	 * @param outcome how it ended
	 * @param keys how many keys of the source it added
	 */
	public record Rebuild(Outcome outcome, long keys) {
	}

	/** How a rebuild ended. */
	public enum Outcome {

		/** The new filter replaced the old one. */
		REBUILT,
		/** Another instance is rebuilding the filter. */
		BUSY,
		/** A filter exists, and the rebuild was asked only if there was none. */
		PRESENT,
		/** The rebuild's lease ran out (or another took its lock over): nothing changed. */
		LOST

	}

}
