package dev.tieredcache.cache;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;

/**
 * One cached value with the metadata both tiers keep beside it. Immutable; it is its own
 * {@link Cache.ValueWrapper}, so a hit allocates no wrapper.
 *
 * <p>An entry is <em>fresh</em> until {@code expiresAt}, then <em>stale</em> (served only by
 * stale-while-revalidate) until {@code staleUntil}. Tags (and versioned groups, which are
 * tags whose encoded name starts with {@code @}) carry the version each had when the load
 * that produced the value began; the epoch is the cache's version at that time. An entry
 * whose tag, group or epoch has moved on since is treated as absent.
 */
public final class CacheEntry implements Cache.ValueWrapper {

	static final String[] NO_TAGS = new String[0];

	static final long[] NO_VERSIONS = new long[0];

	private final @Nullable Object value;

	private final long writtenAt;

	private final long expiresAt;

	private final long staleUntil;

	private final int loadMillis;

	private final String[] tags;

	private final long[] tagVersions;

	private final long epoch;

	/** Whether L1 must compare {@code expiresAt} with the clock before serving this copy. */
	private final boolean localCheck;

	/**
	 * Creates an entry.
	 * @param value the value, or null for a cached null
	 * @param writtenAt when it was written, epoch milliseconds
	 * @param expiresAt when it stops being fresh, epoch milliseconds
	 * @param staleUntil until when it may be served stale, epoch milliseconds
	 * @param loadMillis how long the load that produced it took (XFetch's delta)
	 * @param tags its tags, never null
	 * @param tagVersions the version of each tag when its load began
	 * @param epoch the cache's epoch when its load began
	 */
	public CacheEntry(@Nullable Object value, long writtenAt, long expiresAt, long staleUntil, int loadMillis,
			String[] tags, long[] tagVersions, long epoch) {
		this(value, writtenAt, expiresAt, staleUntil, loadMillis, tags, tagVersions, epoch, false);
	}

	private CacheEntry(@Nullable Object value, long writtenAt, long expiresAt, long staleUntil, int loadMillis,
			String[] tags, long[] tagVersions, long epoch, boolean localCheck) {
		this.value = value;
		this.writtenAt = writtenAt;
		this.expiresAt = expiresAt;
		this.staleUntil = staleUntil;
		this.loadMillis = loadMillis;
		this.tags = tags;
		this.tagVersions = tagVersions;
		this.epoch = epoch;
		this.localCheck = localCheck;
	}

	/**
	 * Returns a copy that L1 checks against the clock before serving it: for an entry whose
	 * freshness ends before L1's own TTL would drop it.
	 */
	CacheEntry withLocalCheck() {
		return new CacheEntry(this.value, this.writtenAt, this.expiresAt, this.staleUntil, this.loadMillis, this.tags,
				this.tagVersions, this.epoch, true);
	}

	/** Whether L1 checks this copy against the clock before serving it. */
	boolean isCheckedLocally() {
		return this.localCheck;
	}

	@Override
	public @Nullable Object get() {
		return this.value;
	}

	public long writtenAt() {
		return this.writtenAt;
	}

	public long expiresAt() {
		return this.expiresAt;
	}

	public long staleUntil() {
		return this.staleUntil;
	}

	public int loadMillis() {
		return this.loadMillis;
	}

	public String[] tags() {
		return this.tags;
	}

	public long[] tagVersions() {
		return this.tagVersions;
	}

	public long epoch() {
		return this.epoch;
	}

	/**
	 * Whether the entry is still fresh at the given time.
	 * @param now epoch milliseconds
	 * @return whether it has not expired
	 */
	public boolean isFresh(long now) {
		return now < this.expiresAt;
	}

	/**
	 * Whether the entry may still be served stale at the given time.
	 * @param now epoch milliseconds
	 * @return whether it is within its stale-while-revalidate window
	 */
	public boolean isServableStale(long now) {
		return now < this.staleUntil;
	}

	@Override
	public String toString() {
		// Never the value: entries may reach logs.
		return "CacheEntry[expiresAt=" + this.expiresAt + ", tags=" + this.tags.length + "]";
	}

}
