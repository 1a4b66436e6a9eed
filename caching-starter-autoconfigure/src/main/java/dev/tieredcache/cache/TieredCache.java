package dev.tieredcache.cache;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;
import org.springframework.cache.support.NullValue;

import dev.tieredcache.audit.DriftAudit;
import dev.tieredcache.batch.BatchReadThrough;
import dev.tieredcache.batch.BatchRequest;
import dev.tieredcache.cache.CacheStatistics.EvictionCause;
import dev.tieredcache.cache.CacheStatistics.Tier;
import dev.tieredcache.existence.ExistenceFilter;
import dev.tieredcache.redis.CoordinationStatistics;
import dev.tieredcache.redis.CoordinationStatistics.InvalidationKind;
import dev.tieredcache.redis.RateLimitedLog;
import dev.tieredcache.redis.RedisKeyLayout;
import dev.tieredcache.redis.RedisStore;
import dev.tieredcache.redis.RedisUnavailableException;

/**
 * A Spring {@link Cache} in two tiers: Caffeine in this process (L1) in front of Redis
 * (L2), shared by every instance of the application.
 *
 * <h2>How it works</h2>
 * A read looks in L1, then makes one Redis round trip to L2, and fills L1 from what it
 * finds. A read-through miss ({@link #get(Object, Callable)}, {@link #readThrough}) is
 * handed to {@link ReadThrough}: one load per key in this JVM, coordinated across
 * instances by a Redis lock, and stored only if no write to the key happened meanwhile. A
 * write goes to L2 first, in one Lua script that also advances the key's write sequence and
 * publishes the invalidation, then to L1; other instances drop the key from their L1 when
 * the message arrives. {@link #clear()} advances the cache's epoch, which is part of every
 * Redis key of the cache, so it costs one Redis operation on a single node or a cluster;
 * the old keys age out by their TTL.
 *
 * <h2>Guarantees</h2>
 * <ul>
 * <li>Redis failures never reach the caller: reads fall back to L1 and the loader, writes
 * update L1 and are logged and counted.</li>
 * <li>Another instance's L1 may serve a value older than a write for as long as the
 * invalidation message takes to arrive (milliseconds), and never longer than the local
 * TTL, even when messages are lost.</li>
 * <li>Values in Redis that cannot be read (foreign, truncated, of a class not allowed) are
 * misses, logged once per cache at WARN, and replaced by the next load.</li>
 * <li>Tagged entries are checked against the current tag versions held in memory: an
 * entry whose tag was invalidated is a miss on every instance.</li>
 * <li>A change that Redis did not take (a failed or timed-out command) is retried in the
 * background until it lands ({@link PendingInvalidations}), whether or not the circuit
 * opened.</li>
 * <li>Inside a Spring-managed transaction, {@code put}, {@code evict} and {@code clear}
 * run after the commit, and a value loaded inside a transaction that may write is
 * published only after the commit ({@link CacheTransactions}).</li>
 * </ul>
 * All methods are thread-safe.
 */
public class TieredCache implements Cache {

	private static final Log logger = LogFactory.getLog(TieredCache.class);

	private final String name;

	private final String encodedName;

	private final CacheSettings settings;

	private final CacheServices services;

	private final CacheStatistics statistics = new CacheStatistics();

	private final LocalTier local;

	private final CacheEntries entries;

	private final ReadThrough readThrough;

	private final InFlightLoads inFlight = new InFlightLoads();

	private final BatchReadThrough batch;

	private final PendingInvalidations pending;

	private final CoordinationStatistics invalidations;

	private final CacheTransactions transactions;

	private final @Nullable HotKeys hotKeys;

	private final @Nullable ExistenceFilter existence;

	private final @Nullable DriftAudit audit;

	private final RateLimitedLog warnings = new RateLimitedLog(logger, java.time.Duration.ofMinutes(1));

	/**
	 * Creates a cache.
	 * @param name the cache name
	 * @param settings its settings
	 * @param services what it shares with the other caches
	 */
	public TieredCache(String name, CacheSettings settings, CacheServices services) {
		this(name, settings, services, new PendingInvalidations(), new CoordinationStatistics(),
				new CacheTransactions());
	}

	TieredCache(String name, CacheSettings settings, CacheServices services, PendingInvalidations pending,
			CoordinationStatistics invalidations, CacheTransactions transactions) {
		this.pending = pending;
		this.transactions = transactions;
		this.invalidations = invalidations;
		this.name = name;
		this.encodedName = CacheKeyEncoder.encode(name);
		this.settings = settings;
		this.services = services;
		this.local = new LocalTier(settings, this.statistics, services.clock(), services.localOnly());
		this.entries = new CacheEntries(name, settings, services, this.statistics, this.warnings);
		this.readThrough = new ReadThrough(this);
		this.batch = new BatchReadThrough(new CacheInternals(this));
		this.hotKeys = (settings.hotKeysTop() > 0)
				? new HotKeys(settings.hotKeysTop(), settings.hotKeysTracked(), settings.hotKeysSampleRate(),
						HotKeys.WINDOW, System::nanoTime)
				: null;
		// Without Redis there is nothing to share a filter in: every miss goes to the loader.
		this.existence = (settings.existenceFilter() != null && services.store() != null)
				? new ExistenceFilter(name, this.encodedName, settings.existenceFilter(), services.store()) : null;
		this.audit = (settings.audit().enabled() && !services.localOnly())
				? new DriftAudit(new CacheInternals(this), settings.audit(), System::nanoTime) : null;
	}

	@Override
	public String getName() {
		return this.name;
	}

	/**
	 * Returns the L1 Caffeine cache, or this cache when L1 is disabled. Its entries are
	 * checked on every read through this cache (tags, groups, freshness): one read from the
	 * native cache directly may be outdated, and an entry whose freshness ended may stay in
	 * it (taking a slot of {@code local.maximum-size}) until {@code local.ttl} or its next read.
	 */
	@Override
	public Object getNativeCache() {
		return (this.local.nativeCache() != null) ? this.local.nativeCache() : this;
	}

	/** Returns the effective settings of this cache. */
	public CacheSettings getSettings() {
		return this.settings;
	}

	/** Returns the counters of this cache. */
	public CacheStatistics getStatistics() {
		return this.statistics;
	}

	/**
	 * Returns the record of the most read keys of this cache.
	 * @return the record, or null when hot-key tracking is off for this cache
	 */
	public @Nullable HotKeys getHotKeys() {
		return this.hotKeys;
	}

	/**
	 * Returns the existence filter of this cache.
	 * @return the filter, or null when the cache has none (or runs without Redis)
	 */
	public @Nullable ExistenceFilter getExistenceFilter() {
		return this.existence;
	}

	/**
	 * Tells the existence filter, if any, that a key exists in the source of truth: called
	 * for every value written through the cache, whether or not Redis takes the value.
	 * @param key the encoded key
	 */
	public void keyExists(String key) {
		if (this.existence != null) {
			this.existence.add(key);
		}
	}

	/**
	 * Asks the existence filter, if any, whether a key absent from both tiers may exist in
	 * the source of truth; without a filter, or when it cannot tell, it may.
	 * @param key the encoded key
	 * @return false only when the key certainly does not exist
	 */
	boolean mightExist(String key) {
		return this.existence == null || this.existence.mightContain(key);
	}

	/**
	 * Returns the drift audit of this cache.
	 * @return the audit, or null when audits are off for this cache (or it has no Redis tier)
	 */
	public @Nullable DriftAudit getDriftAudit() {
		return this.audit;
	}

	/** Offers a read-through hit to the drift audit, if this cache has one. */
	void offerAudit(ReadRequest request) {
		if (this.audit != null) {
			this.audit.offer(request);
		}
	}

	/** Returns the estimated number of entries in L1. */
	public long getLocalSize() {
		return this.local.size();
	}

	String encodedName() {
		return this.encodedName;
	}

	CacheSettings settings() {
		return this.settings;
	}

	CacheServices services() {
		return this.services;
	}

	CacheStatistics statistics() {
		return this.statistics;
	}

	LocalTier local() {
		return this.local;
	}

	CacheTransactions transactions() {
		return this.transactions;
	}

	InFlightLoads inFlight() {
		return this.inFlight;
	}

	/**
	 * Turns a Spring cache key into the encoded key both tiers use, by the default rules of
	 * {@link CacheKeyEncoder}, without the application's converters.
	 * @param key the key
	 * @return the encoded key
	 * @throws InvalidCacheKeyException if the key has no string form that can be trusted
	 */
	public static String encodeKey(Object key) {
		return CacheKeyEncoder.encodeKey(key);
	}

	/**
	 * Turns a Spring cache key into the encoded key both tiers use, with the manager's
	 * encoder (and so the application's converters).
	 * @throws InvalidCacheKeyException naming this cache if the key has no string form that
	 * can be trusted: refused rather than risk sharing an entry with another key
	 */
	private String keyOf(Object key) {
		try {
			return this.services.keyEncoder().key(key);
		}
		catch (InvalidCacheKeyException ex) {
			throw ex.inCache(this.name);
		}
	}

	// Reads

	@Override
	public @Nullable ValueWrapper get(Object key) {
		return lookup(keyOf(key));
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> @Nullable T get(Object key, @Nullable Class<T> type) {
		CacheEntry entry = lookup(keyOf(key));
		Object value = (entry != null) ? entry.get() : null;
		if (value != null && type != null && !type.isInstance(value)) {
			throw new IllegalStateException("Cached value of cache '" + this.name + "' is not of required type ["
					+ type.getName() + "]: " + value.getClass().getName());
		}
		return (T) value;
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> @Nullable T get(Object key, Callable<T> valueLoader) {
		String encoded = keyOf(key);
		try {
			return (T) readThrough(ReadRequest.of(encoded, valueLoader::call));
		}
		catch (Throwable ex) {
			throw new ValueRetrievalException(key, valueLoader, ex);
		}
	}

	@Override
	public @Nullable CompletableFuture<?> retrieve(Object key) {
		String encoded = keyOf(key);
		CacheEntry entry = localHit(encoded);
		if (entry != null) {
			return CompletableFuture.completedFuture(entry);
		}
		try {
			return CompletableFuture.supplyAsync(() -> lookup(encoded), this.services.asyncExecutor());
		}
		catch (RejectedExecutionException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader) {
		String encoded = keyOf(key);
		CacheEntry entry = localHit(encoded);
		if (entry != null) {
			return CompletableFuture.completedFuture((T) entry.get());
		}
		try {
			return CompletableFuture.supplyAsync(() -> {
				try {
					return (T) readThrough(ReadRequest.of(encoded, () -> valueLoader.get().join()));
				}
				catch (Throwable ex) {
					throw (ex instanceof java.util.concurrent.CompletionException ce) ? ce
							: new java.util.concurrent.CompletionException(ex);
				}
			}, this.services.asyncExecutor());
		}
		catch (RejectedExecutionException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	/**
	 * Returns the value of a key, loading it on a miss with stampede protection, early
	 * refresh and stale-while-revalidate as configured for this cache.
	 * @param request the read
	 * @return the cached or loaded value
	 * @throws Throwable whatever the loader throws
	 */
	public @Nullable Object readThrough(ReadRequest request) throws Throwable {
		return this.readThrough.read(request);
	}

	/**
	 * Returns the values of many keys, loading the missing ones with one call of the loader.
	 * L1 answers first, then Redis in one round trip (one per slot, pipelined, on a cluster);
	 * the keys neither holds are locked per key across instances, and the loader is called
	 * once with exactly the keys this caller holds; keys another caller of this JVM or
	 * another instance is loading are waited for. Keys missing from the loader's map are
	 * cached as null for the null TTL. See {@link BatchReadThrough} for the guarantees.
	 * @param <K> the key type
	 * @param <V> the value type
	 * @param keys the keys; duplicates are read once
	 * @param loader loads the values of the keys it is given from the source of truth
	 * @return every key with a non-null value, in the order of {@code keys}
	 * @throws RuntimeException whatever the loader throws, unchanged
	 */
	public <K, V> java.util.Map<K, V> getAll(java.util.Collection<K> keys,
			java.util.function.Function<java.util.Set<K>, java.util.Map<K, V>> loader) {
		return this.batch.getAll(keys, loader);
	}

	/**
	 * Returns the values of many keys that either tier holds, without loading: L1 first,
	 * then Redis in one round trip.
	 * @param <K> the key type
	 * @param <V> the value type
	 * @param keys the keys
	 * @return every key found with a non-null value, in the order of {@code keys}
	 */
	public <K, V> java.util.Map<K, V> getAll(java.util.Collection<K> keys) {
		return this.batch.getAll(keys);
	}

	/**
	 * Reads many keys through the cache, as {@code @ReadThroughAll} does.
	 * @param request the batch
	 * @return every requested key with a non-null value, by key, in request order
	 * @throws Throwable whatever the loader throws
	 */
	public java.util.Map<Object, Object> readThroughAll(BatchRequest request) throws Throwable {
		return this.batch.read(request);
	}

	/**
	 * Copies into L1 what Redis holds for keys that L1 lacks, in one round trip: each entry
	 * exactly as a read of its key would put it there (only current, fresh entries; the same
	 * checks of tags, groups and epoch), but without loading anything and without counting
	 * reads. Warm start fills L1 this way before the application takes traffic.
	 * @param encodedKeys the encoded keys
	 * @return how many entries were handed to L1 (Caffeine may evict some at once if they
	 * exceed its maximum size)
	 * @throws RedisUnavailableException if Redis cannot be reached
	 */
	public int fillLocalFromRemote(java.util.List<String> encodedKeys) {
		return this.batch.fillLocal(encodedKeys);
	}

	/**
	 * Returns the value of a key if L1 holds it fresh, without touching Redis.
	 * @param key the encoded key
	 * @return the entry, or null
	 */
	public @Nullable ValueWrapper peekLocal(String key) {
		return localHit(key);
	}

	/**
	 * Whether this cache runs loaders in the background (early refresh,
	 * stale-while-revalidate or a drift audit), so that read-through callers should offer a
	 * refresh loader.
	 * @return whether background refreshes or audits are configured
	 */
	public boolean refreshesInBackground() {
		return this.settings.earlyRefreshBeta() > 0 || !this.settings.staleWhileRevalidate().isZero()
				|| this.audit != null;
	}

	/**
	 * Looks a key up in L1, then L2.
	 * @param key the encoded key
	 * @return the fresh entry, or null
	 */
	@Nullable CacheEntry lookup(String key) {
		CacheEntry entry = localHit(key);
		if (entry != null || this.services.localOnly()) {
			return entry;
		}
		long stamp = this.local.stamp(key);
		try {
			entry = readRemote(key);
		}
		catch (RedisUnavailableException ex) {
			return null;
		}
		if (entry != null && entry.isFresh(this.entries.now())) {
			this.local.fill(key, entry, stamp);
			return entry;
		}
		return null;
	}

	/**
	 * Returns a current L1 entry, or null. No clock is read: L1 expires every entry no later
	 * than its Redis freshness ends (see {@link LocalTier}), so an entry present is fresh.
	 */
	@Nullable CacheEntry localHit(String key) {
		// Every read asks L1 first, hit or miss: the one place where reads are counted.
		if (this.hotKeys != null) {
			this.hotKeys.record(key);
		}
		CacheEntry entry = this.local.get(key);
		return (entry != null && this.entries.isCurrentLocally(entry)) ? entry : null;
	}

	/**
	 * Reads a key's entry from Redis; unreadable and outdated entries are misses.
	 * @throws RedisUnavailableException if Redis cannot be reached
	 */
	@Nullable CacheEntry readRemote(String key) {
		return readRemoteValue(key).entry();
	}

	/**
	 * Reads a key's entry from Redis, telling a key that holds no value (absent, or a
	 * tombstone) from one whose value is unreadable or outdated.
	 * @throws RedisUnavailableException if Redis cannot be reached
	 */
	RemoteValue readRemoteValue(String key) {
		// The observer sees the entry (null for a miss), as its contract says.
		boolean[] present = new boolean[1];
		CacheEntry entry = this.services.observer().readRemote(this.name, () -> readRemoteUnobserved(key, present));
		return new RemoteValue(entry, present[0]);
	}

	private @Nullable CacheEntry readRemoteUnobserved(String key, boolean[] present) {
		String entryId = entryId(key);
		byte[] stored = readStored(entryId);
		present[0] = stored != null && !RedisStore.isTombstone(stored);
		CacheEntry decoded = present[0] ? this.entries.decode(stored) : null;
		CacheEntry entry = (decoded == null || isCurrent(decoded)) ? decoded : pendingEntry(entryId, decoded);
		if (entry == null) {
			this.statistics.miss(Tier.L2);
		}
		else {
			this.statistics.hit(Tier.L2);
		}
		return entry;
	}

	/**
	 * Reads what Redis holds for an entry as this instance's schema sees it: with a schema,
	 * the entry and its variant in one round trip.
	 * @throws RedisUnavailableException if Redis cannot be reached
	 */
	byte @Nullable [] readStored(String entryId) {
		long schema = this.entries.schema();
		if (schema == RedisStore.NO_SCHEMA) {
			return this.services.store().get(entryId);
		}
		RedisStore.EntryAndVariant read = this.services.store().getWithVariant(entryId, schema);
		return this.entries.inSchema(read.entry(), read.variant());
	}

	/**
	 * Returns a pending write-behind value that a clear, a tag invalidation or a group bump
	 * made after its write would otherwise hide: until its flush it is the key's value. Only
	 * an entry made as a pending value (fresh for a century) costs the check of its marker;
	 * the entry is decoded once, by the caller.
	 */
	private @Nullable CacheEntry pendingEntry(String entryId, CacheEntry entry) {
		if (entry.expiresAt() - this.entries.now() < PENDING_FRESHNESS_MILLIS / 2
				|| !this.services.store().isPending(entryId)) {
			return null;
		}
		return entry;
	}

	/**
	 * What a read of Redis found.
	 * @param entry the current entry, or null
	 * @param present whether the key held a value, current or not
	 */
	record RemoteValue(@Nullable CacheEntry entry, boolean present) {
	}

	/**
	 * Decodes an entry as stored in Redis; tombstones, unreadable and outdated entries are
	 * null.
	 */
	@Nullable CacheEntry currentEntry(byte @Nullable [] stored) {
		if (stored == null || RedisStore.isTombstone(stored)) {
			return null;
		}
		CacheEntry entry = this.entries.decode(stored);
		return (entry != null && isCurrent(entry)) ? entry : null;
	}

	/**
	 * Whether an entry read from Redis is current: none of its tags, its groups or the
	 * cache's epoch moved on since it was made.
	 */
	private boolean isCurrent(CacheEntry entry) {
		return this.entries.isCurrent(entry) && this.entries.isOfCurrentEpoch(entry);
	}

	/** Returns the slot-local id of a key of this cache. */
	String entryId(String key) {
		return RedisKeyLayout.entryId(this.encodedName, key);
	}

	CacheEntries entries() {
		return this.entries;
	}

	// Writes

	@Override
	public void put(Object key, @Nullable Object value) {
		String encoded = keyOf(key);
		Object actual = fromStoreValue(value);
		if (this.transactions.deferChanges()) {
			CacheTransactions.afterCommit(() -> write(encoded, actual, CacheEntry.NO_TAGS));
			return;
		}
		write(encoded, actual, CacheEntry.NO_TAGS);
	}

	/** Spring's caching infrastructure marks a cached null with {@link NullValue}. */
	private static @Nullable Object fromStoreValue(@Nullable Object value) {
		return (value == NullValue.INSTANCE) ? null : value;
	}

	/**
	 * Stores a value written by the application (after its source of truth was updated):
	 * in Redis, then in L1, and drops the key from every other instance's L1. Loads of the
	 * key that began earlier will not store their older value. If Redis does not take the
	 * change, it is retried in the background until it lands (as a delete that spares any
	 * newer change), so no older value outlives it anywhere.
	 * @param key the encoded key
	 * @param value the new value
	 * @param tags its encoded tags and groups
	 */
	public void write(String key, @Nullable Object value, String[] tags) {
		write(key, value, tags, -1);
	}

	/**
	 * Writes a value to both tiers, as {@link #write(String, Object, String[])}, on behalf of
	 * an application write that began at a given time (its method wrote the database first):
	 * a pending write-behind value of the key written since then is the later write and is
	 * kept, to be flushed after this one.
	 * @param key the encoded key
	 * @param value the value
	 * @param tags the tags
	 * @param startedNanos when the write began, by {@link System#nanoTime()}, or -1
	 */
	public void write(String key, @Nullable Object value, String[] tags, long startedNanos) {
		long issued = System.nanoTime();
		if (value != null) {
			// Whatever becomes of the value in the tiers, the key now exists.
			keyExists(key);
		}
		long ttl = this.entries.ttlMillisFor(value);
		if (ttl == 0) {
			evictKey(key, startedNanos);
			return;
		}
		CacheEntry entry;
		try {
			entry = this.entries.newEntry(value, tags, this.entries.versions(tags), 0, ttl);
		}
		catch (RedisUnavailableException ex) {
			this.local.invalidate(key, EvictionCause.EXPLICIT);
			this.pending.key(this, key, issued, null);
			return;
		}
		if (this.services.localOnly()) {
			this.local.write(key, entry);
			return;
		}
		byte[] stored = this.entries.encode(entry);
		if (stored == null) {
			evictKey(key, startedNanos);
			return;
		}
		this.local.write(key, entry);
		byte[] writeId = newWriteId();
		try {
			if (this.services.store()
				.put(this.encodedName, entryId(key), key, RedisStore.withWriteId(stored, writeId),
						this.entries.redisTtlMillis(entry), ageMicros(startedNanos))) {
				this.statistics.put(Tier.L2);
			}
			else {
				// A write-behind write made since this one began is the later value.
				this.local.invalidate(key, EvictionCause.EXPLICIT);
			}
		}
		catch (RedisUnavailableException ex) {
			// Redis may or may not have applied it, now or later: the replay deletes whatever
			// older value is there, or this write's own value, and leaves anything newer.
			this.pending.key(this, key, issued, writeId);
		}
	}

	@Override
	public @Nullable ValueWrapper putIfAbsent(Object key, @Nullable Object value) {
		String encoded = keyOf(key);
		CacheEntry present = lookup(encoded);
		if (present != null) {
			return present;
		}
		Object actual = fromStoreValue(value);
		if (actual != null) {
			// Stored or not, the value came from the source of truth: the key exists.
			keyExists(encoded);
		}
		long ttl = this.entries.ttlMillisFor(actual);
		if (ttl == 0) {
			return null;
		}
		CacheEntry entry;
		try {
			entry = this.entries.newEntry(actual, CacheEntry.NO_TAGS, this.entries.versions(CacheEntry.NO_TAGS), 0, ttl);
		}
		catch (RedisUnavailableException ex) {
			return null;
		}
		byte[] stored = this.services.localOnly() ? null : this.entries.encode(entry);
		if (stored != null) {
			try {
				if (!storeIfAbsent(encoded, entry, stored)) {
					return lookup(encoded);
				}
				this.statistics.put(Tier.L2);
			}
			catch (RedisUnavailableException ex) {
				// Whether a value is present is unknown (the read may have timed out, the
				// command may still run): keeping this one in L1 could hide a newer one.
				return null;
			}
		}
		this.local.write(encoded, entry);
		return null;
	}

	/**
	 * Stores an entry unless a live one is present; an expired, tag-invalidated or
	 * unreadable entry counts as absent and is replaced, unless it changes meanwhile.
	 * @return whether this entry was stored
	 */
	private boolean storeIfAbsent(String key, CacheEntry entry, byte[] stored) {
		RedisStore store = this.services.store();
		long ttl = this.entries.redisTtlMillis(entry);
		byte[] existing = store.putIfAbsent(this.encodedName, entryId(key), key, stored, ttl);
		if (existing == null) {
			return true;
		}
		CacheEntry current = this.entries.decode(existing);
		if (current != null && current.isFresh(this.entries.now()) && this.entries.isCurrent(current)
				&& this.entries.isOfCurrentEpoch(current)) {
			return false;
		}
		byte[] sequence = java.util.Arrays.copyOf(existing, RedisKeyLayout.SEQUENCE_LENGTH);
		return store.replace(this.encodedName, entryId(key), key, stored, ttl, sequence);
	}

	@Override
	public void evict(Object key) {
		String encoded = keyOf(key);
		if (this.transactions.deferChanges()) {
			CacheTransactions.afterCommit(() -> evictKey(encoded));
			return;
		}
		evictKey(encoded);
	}

	@Override
	public boolean evictIfPresent(Object key) {
		return evictKey(keyOf(key));
	}

	/**
	 * Evicts a key from both tiers and from every other instance's L1. If Redis does not
	 * take it, it is retried in the background until it lands.
	 * @param key the encoded key
	 * @return whether Redis held the key (or, when Redis is unreachable, L1 did)
	 */
	public boolean evictKey(String key) {
		return evictKey(key, -1);
	}

	/**
	 * Evicts a key, as {@link #evictKey(String)}, on behalf of an application write that
	 * began at a given time: a pending write-behind value written since then is kept.
	 * @param key the encoded key
	 * @param startedNanos when the write began, by {@link System#nanoTime()}, or -1
	 * @return whether Redis held the key (or, when Redis is unreachable, L1 did)
	 */
	public boolean evictKey(String key, long startedNanos) {
		long issued = System.nanoTime();
		this.invalidations.invalidation(InvalidationKind.KEY, false);
		boolean wasLocal = this.local.contains(key);
		this.local.invalidate(key, EvictionCause.EXPLICIT);
		if (this.services.localOnly()) {
			return wasLocal;
		}
		try {
			boolean wasRemote = this.services.store()
				.delete(this.encodedName, entryId(key), key, this.entries.tombstoneTtlMillis(),
						ageMicros(startedNanos));
			this.statistics.eviction(Tier.L2, EvictionCause.EXPLICIT);
			return wasRemote;
		}
		catch (RedisUnavailableException ex) {
			this.pending.key(this, key, issued, null);
			return wasLocal;
		}
	}

	/**
	 * Gives a load lock back once Redis answers, when the command that asked for it failed
	 * but may have taken it all the same.
	 */
	void releaseLockLater(String entryId, String token) {
		this.pending.lock(this, entryId, token, this.settings.lease().toNanos());
	}

	/**
	 * Gives up a load lock and wakes the waiters.
	 * @throws RedisUnavailableException if Redis did not take it
	 */
	void releaseLock(String entryId, String token) {
		this.services.store().release(this.encodedName, entryId, token);
	}

	/**
	 * Replays a change of a key that may not have reached Redis: deletes the entry unless it
	 * changed after the lost change was issued, and drops the key from other instances' L1.
	 * @param key the encoded key
	 * @param issuedNanos when the lost change was issued, by {@link System#nanoTime()}
	 * @param lostWriteIds the ids of the lost writes, whose own values are deleted too
	 * @throws RedisUnavailableException if Redis did not take it
	 */
	void replayKeyChange(String key, long issuedNanos, byte[] lostWriteIds) {
		long ageMicros = Math.max(0, (System.nanoTime() - issuedNanos) / 1000);
		this.services.store()
			.replayDelete(this.encodedName, entryId(key), key, this.entries.tombstoneTtlMillis(), ageMicros,
					lostWriteIds);
		// Other instances drop the key on the replay's message; this one ignores its own.
		this.local.invalidate(key, EvictionCause.REMOTE);
	}

	/** How long ago a write began, in microseconds, or -1 when unknown. */
	private static long ageMicros(long startedNanos) {
		return (startedNanos == -1) ? -1 : Math.max(0, (System.nanoTime() - startedNanos) / 1000);
	}

	// Write-behind support (dev.tieredcache.writebehind)

	/** How long a pending write-behind value counts as fresh: until it is flushed. */
	private static final long PENDING_FRESHNESS_MILLIS = java.time.Duration.ofDays(36500).toMillis();

	/** Whether an entry is a pending write-behind value (made by {@link #encodePending}). */
	boolean isPendingWrite(CacheEntry entry) {
		return entry.expiresAt() - entry.writtenAt() >= PENDING_FRESHNESS_MILLIS;
	}

	/**
	 * Sets the schema this instance writes and reads the cache's values in: values another
	 * schema wrote are passed over as misses, and loads made while the entry holds another
	 * schema's value are kept beside it (see {@code dev.tieredcache.schema}). Set at
	 * start-up, before the cache serves reads.
	 * @param schema the schema id, 0 for none
	 */
	public void useSchema(long schema) {
		this.entries.useSchema(schema);
	}

	/**
	 * Returns the schema this instance writes and reads the cache's values in.
	 * @return the schema id, 0 for none
	 */
	public long schema() {
		return this.entries.schema();
	}

	/**
	 * Returns the name this cache has in Redis keys.
	 * @return the encoded name
	 */
	public String getEncodedName() {
		return this.encodedName;
	}

	/**
	 * Turns a key into the encoded key both tiers use, with the manager's encoder.
	 * @param key the key
	 * @return the encoded key
	 * @throws InvalidCacheKeyException naming this cache if the key cannot be encoded
	 */
	public String encodedKey(Object key) {
		return keyOf(key);
	}

	/**
	 * Encodes a value as a pending write-behind value: fresh until its flush (Redis keeps it
	 * without TTL until then), marked with a new write id.
	 * @param value the value
	 * @return the entry and the bytes to store, with {@link RedisKeyLayout#SEQUENCE_LENGTH}
	 * reserved bytes first, or null if the value cannot go to Redis (too large, not
	 * allowed, not serializable)
	 * @throws RedisUnavailableException if the cache's epoch is not known and Redis cannot tell it
	 */
	public @Nullable PendingValue encodePending(@Nullable Object value) {
		CacheEntry entry = this.entries.newEntry(value, CacheEntry.NO_TAGS, this.entries.versions(CacheEntry.NO_TAGS),
				0, PENDING_FRESHNESS_MILLIS);
		byte[] stored = this.entries.encodePending(entry);
		return (stored != null) ? new PendingValue(entry, RedisStore.withWriteId(stored, newWriteId())) : null;
	}

	/**
	 * Stores a pending write-behind value in this instance's L1, after Redis took it.
	 * @param key the encoded key
	 * @param entry the entry
	 */
	public void writeLocally(String key, CacheEntry entry) {
		this.local.write(key, entry);
		this.statistics.put(Tier.L2);
	}

	/**
	 * Drops a key from this instance's L1 only.
	 * @param key the encoded key
	 */
	public void invalidateLocally(String key) {
		this.local.invalidate(key, EvictionCause.EXPLICIT);
	}

	/**
	 * Decodes an entry as stored in Redis, whatever its age, epoch or tags (a pending
	 * write-behind value is flushed whatever happened to the cache meanwhile).
	 * @param stored the stored bytes
	 * @return the entry, or null if it is a tombstone or cannot be read
	 */
	public @Nullable CacheEntry decodeStored(byte[] stored) {
		return RedisStore.isTombstone(stored) ? null : this.entries.decodeAnySchema(stored);
	}

	/**
	 * Returns the jittered TTL a value gets in Redis once its write-behind is flushed.
	 * @param value the value
	 * @return the TTL, at least 1 ms
	 */
	public long flushedTtlMillis(@Nullable Object value) {
		return Math.max(1, this.entries.ttlMillisFor(value));
	}

	/**
	 * Returns how long a tombstone of this cache lives.
	 * @return milliseconds
	 */
	public long tombstoneTtlMillis() {
		return this.entries.tombstoneTtlMillis();
	}

	/**
	 * A value encoded as a pending write-behind value.
	 *
	 * @param entry the entry, for L1
	 * @param stored the bytes for Redis
	 */
	public record PendingValue(CacheEntry entry, byte[] stored) {
	}

	/** A random write id; never all zeros, which marks values stored by loads. */
	private static byte[] newWriteId() {
		byte[] id = new byte[RedisKeyLayout.WRITE_ID_LENGTH];
		java.util.concurrent.ThreadLocalRandom.current().nextBytes(id);
		id[0] |= 1;
		return id;
	}

	/**
	 * Clears the cache on every instance by advancing its epoch: one Redis operation, on a
	 * single node or a cluster alike. Old entries are unreachable at once and age out.
	 */
	@Override
	public void clear() {
		if (this.transactions.deferChanges()) {
			CacheTransactions.afterCommit(this::clearEverywhere);
			return;
		}
		clearEverywhere();
	}

	private void clearEverywhere() {
		long issued = System.nanoTime();
		this.invalidations.invalidation(InvalidationKind.CLEAR, false);
		this.local.invalidateAll();
		boolean everywhere = true;
		try {
			this.services.epochs().bump(this.encodedName);
		}
		catch (RedisUnavailableException ex) {
			everywhere = false;
			this.warnings.warn("clear", () -> "Cache '" + this.name + "' was cleared in L1 only: Redis is "
					+ "unreachable; the clear is applied when it answers again");
			this.pending.clear(this, issued);
		}
		this.local.invalidateAll();
		if (everywhere && logger.isDebugEnabled()) {
			logger.debug("Cleared cache '" + this.name + "'" + (this.services.localOnly() ? "" : " on every instance"));
		}
	}

	@Override
	public boolean invalidate() {
		clearEverywhere();
		return true;
	}

	// Invalidations from other instances and from Redis coming back

	/** Another instance wrote or evicted a key. */
	void remoteKeyChanged(String key) {
		this.local.invalidate(key, EvictionCause.REMOTE);
	}

	/**
	 * Drops every entry of this instance's L1, leaving Redis and other instances alone; the
	 * next reads go to Redis. Used when the cache was cleared elsewhere or Redis came back.
	 */
	public void clearLocal() {
		this.local.invalidateAll();
	}

	@Override
	public String toString() {
		return "TieredCache[" + this.name + "]";
	}

}
