package dev.tieredcache.audit;

import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tieredcache.audit.DriftStatistics.Result;
import dev.tieredcache.cache.CacheEntry;
import dev.tieredcache.cache.CacheInternals;
import dev.tieredcache.cache.CacheInternals.NotedVersions;
import dev.tieredcache.cache.HotKeyHash;
import dev.tieredcache.cache.ReadRequest;
import dev.tieredcache.cache.ValueLoader;
import dev.tieredcache.redis.RedisKeyLayout;
import dev.tieredcache.redis.RedisStore;
import dev.tieredcache.redis.RedisStore.LoadTicket;
import dev.tieredcache.redis.RedisUnavailableException;

/**
 * The drift audit of one cache: checks, in the background, that what the cache serves is
 * still what its loader returns, so that a change of the source of truth the cache was not
 * told about (a script, another application, a missed {@code @WriteThrough}) shows up.
 *
 * <p>Audits ride on hits: a read-through hit that draws one of the interval's
 * {@code sample-size} permits audits its key on the refresh executor. Hits come most often
 * from the most read keys, so the sample leans towards the hot entries. An audit:
 * <ol>
 * <li>takes the key's load lock, as a load would; if another load holds it, the audit is
 * skipped (the key is being reloaded anyway, and an audit never adds to a stampede);</li>
 * <li>reads the Redis entry, runs the loader, and compares the two values ({@code equals},
 * else their serialized forms);</li>
 * <li>on a difference, counts it only if the key's write sequence is still the one the
 * lock was taken with (a write during the audit explains a difference), and logs the
 * first few per interval at WARN with the key hashed ({@link HotKeyHash}), never the
 * values;</li>
 * <li>with {@code repair} on, replaces the entry only if its write sequence is still that
 * one (a compare-and-set in Redis, so a write that landed meanwhile is never undone), which
 * also advances the sequence and tells the other instances to drop the key from their L1,
 * as any write does; not when the loader outlived the lock's lease, after which another
 * load may have stored a newer value under the same sequence.</li>
 * </ol>
 * A loader failure is counted and logged at DEBUG, never seen by a caller. Pending
 * write-behind values are newer than the database by design and are never audited. Audits
 * need Redis: a cache in the L1-only mode has none.
 */
public final class DriftAudit {

	/** The most differences logged per interval, per cache and instance. */
	public static final int LOGGED_PER_INTERVAL = 3;

	private static final Log logger = LogFactory.getLog(DriftAudit.class);

	private static final String[] NO_VALUE_TAGS = {};

	private final CacheInternals cache;

	private final AuditSettings settings;

	private final PerInterval permits;

	private final PerInterval logLines;

	private final Set<String> auditing = ConcurrentHashMap.newKeySet();

	private final DriftStatistics statistics = new DriftStatistics();

	/**
	 * Creates the audit of a cache.
	 * @param cache the cache's internals
	 * @param settings the audit settings, enabled
	 * @param nanoTime a monotonic clock in nanoseconds
	 */
	public DriftAudit(CacheInternals cache, AuditSettings settings, LongSupplier nanoTime) {
		this.cache = cache;
		this.settings = settings;
		this.permits = new PerInterval(settings.sampleSize(), settings.interval(), nanoTime);
		this.logLines = new PerInterval(LOGGED_PER_INTERVAL, settings.interval(), nanoTime);
	}

	/** Returns the counters of this audit. */
	public DriftStatistics statistics() {
		return this.statistics;
	}

	/** Returns the settings of this audit. */
	public AuditSettings settings() {
		return this.settings;
	}

	/**
	 * Offers a read-through hit for an audit: audits its key in the background if a permit
	 * of the current interval is left and the key is not being audited already.
	 * @param request the read that hit; requests without a refresh loader are not audited
	 */
	public void offer(ReadRequest request) {
		ValueLoader loader = request.refreshLoader();
		if (loader == null || !this.permits.tryAcquire()) {
			return;
		}
		String key = request.key();
		if (!this.auditing.add(key)) {
			return;
		}
		try {
			this.cache.services().refreshExecutor().execute(() -> {
				try {
					this.statistics.audited(audit(request, loader));
				}
				finally {
					this.auditing.remove(key);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			this.auditing.remove(key);
		}
	}

	private Result audit(ReadRequest request, ValueLoader loader) {
		RedisStore store = this.cache.services().store();
		if (store == null) {
			return Result.SKIPPED;
		}
		String key = request.key();
		String entryId = this.cache.entryId(key);
		String token = this.cache.newToken();
		long stamp = this.cache.stamp(key);
		long lockedBy = System.nanoTime() + this.cache.settings().lease().toNanos();
		LoadTicket ticket;
		try {
			ticket = store.beginLoad(entryId, token, this.cache.settings().lease().toMillis(),
					this.cache.tombstoneTtlMillis(), true);
		}
		catch (RedisUnavailableException ex) {
			this.cache.releaseLockLater(entryId, token);
			return Result.SKIPPED;
		}
		if (!ticket.acquired()) {
			return Result.SKIPPED;
		}
		try {
			return auditLocked(request, loader, store, entryId, ticket.sequence(), stamp, lockedBy);
		}
		catch (RedisUnavailableException ex) {
			return Result.SKIPPED;
		}
		finally {
			release(entryId, token);
		}
	}

	/**
	 * Audits a key whose lock this audit holds.
	 * @param lockedBy until when, by {@link System#nanoTime()}, the lock is surely held
	 */
	private Result auditLocked(ReadRequest request, ValueLoader loader, RedisStore store, String entryId,
			byte[] sequence, long stamp, long lockedBy) {
		// As a read sees it: with a schema, the entry or this schema's variant beside it.
		byte[] stored = this.cache.readStored(entryId);
		if (!sameSequence(stored, sequence)) {
			return Result.SKIPPED;
		}
		CacheEntry cached = this.cache.currentEntry(stored);
		if (cached == null || this.cache.isPendingWrite(cached)) {
			return Result.SKIPPED;
		}
		NotedVersions noted = this.cache.noteVersions(request.tags());
		long started = System.nanoTime();
		Object loaded;
		try {
			loaded = loader.load();
			this.cache.countLoads(1, System.nanoTime() - started, true);
		}
		catch (Throwable ex) {
			this.cache.countLoads(1, System.nanoTime() - started, false);
			if (ex instanceof Error error) {
				throw error;
			}
			if (ex instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
			logger.debug("Drift audit of cache '" + this.cache.cache().getName() + "': the loader failed", ex);
			return Result.FAILED;
		}
		if (same(cached.get(), loaded)) {
			return Result.MATCH;
		}
		if (!sameSequence(store.get(entryId), sequence)) {
			// Written while the loader ran: the write, not drift, explains the difference.
			return Result.SKIPPED;
		}
		// Past the lease another load may have stored a newer value under the same sequence.
		boolean repaired = this.settings.repair() && System.nanoTime() - lockedBy < 0
				&& repair(request, store, entryId, sequence, stamp, loaded, noted, System.nanoTime() - started);
		if (this.logLines.tryAcquire() && logger.isWarnEnabled()) {
			logger.warn("Cache '" + this.cache.cache().getName() + "' served a value that differs from its loader's "
					+ "(key hash " + HotKeyHash.of(request.key()) + ")"
					+ (repaired ? ": repaired" : this.settings.repair() ? ": not repaired" : ""));
		}
		return Result.DRIFT;
	}

	/**
	 * Replaces a drifted entry with the loaded value, unless the key was written since the
	 * audit took its lock; other instances drop the key from their L1.
	 */
	private boolean repair(ReadRequest request, RedisStore store, String entryId, byte[] sequence, long stamp,
			@Nullable Object loaded, NotedVersions noted, long elapsedNanos) {
		if (!request.storable().test(loaded)) {
			return false;
		}
		CacheEntry entry = this.cache.newEntry(loaded, noted, NO_VALUE_TAGS,
				(int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(elapsedNanos)));
		byte[] bytes = (entry != null) ? this.cache.encode(entry) : null;
		if (entry == null || bytes == null) {
			return false;
		}
		if (!store.replace(this.cache.encodedName(), entryId, request.key(), bytes, this.cache.redisTtlMillis(entry),
				sequence)) {
			return false;
		}
		this.statistics.repaired();
		this.cache.countRedisPut();
		this.cache.fillLocal(request.key(), entry, stamp);
		return true;
	}

	private void release(String entryId, String token) {
		try {
			this.cache.releaseLock(entryId, token);
		}
		catch (RedisUnavailableException ex) {
			this.cache.releaseLockLater(entryId, token);
		}
	}

	private static boolean sameSequence(byte @Nullable [] stored, byte[] sequence) {
		return stored != null && stored.length >= RedisKeyLayout.SEQUENCE_LENGTH
				&& Arrays.equals(stored, 0, RedisKeyLayout.SEQUENCE_LENGTH, sequence, 0, sequence.length);
	}

	/** Equal values, or values of the same serialized form (classes without equals). */
	private boolean same(@Nullable Object cached, @Nullable Object loaded) {
		if (Objects.equals(cached, loaded)) {
			return true;
		}
		if (cached == null || loaded == null) {
			return false;
		}
		try {
			return Arrays.equals(this.cache.services().codec().serializeValue(cached),
					this.cache.services().codec().serializeValue(loaded));
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

}
