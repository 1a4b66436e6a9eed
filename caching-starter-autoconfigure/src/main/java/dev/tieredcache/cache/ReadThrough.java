package dev.tieredcache.cache;

import java.util.Set;
import java.util.concurrent.CompletableFuture;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.tieredcache.cache.CacheStatistics.LockWaitOutcome;
import dev.tieredcache.cache.CacheEntries.Versions;
import dev.tieredcache.cache.CacheTransactions.MissPolicy;
import dev.tieredcache.cache.CacheStatistics.RefreshTrigger;
import dev.tieredcache.redis.RedisKeyLayout;
import dev.tieredcache.redis.RedisStore;
import dev.tieredcache.redis.RedisStore.LoadTicket;
import dev.tieredcache.redis.RedisUnavailableException;

/**
 * The read-through path of one {@link TieredCache}: what happens on a miss.
 *
 * <ol>
 * <li><b>Single flight in the JVM.</b> Concurrent misses on one key share one future
 * ({@link InFlightLoads}, shared with batch reads); only the first caller goes further, the
 * others wait for its outcome (value or exception).</li>
 * <li><b>One lock across instances.</b> The caller asks Redis for the key's load lock (SET
 * NX with a lease and a random token), in the same script that returns the key's write
 * sequence. The holder runs the loader; the others wait until a load notification for the
 * key arrives on the invalidation channel (no polling), then read the value. If the
 * holder's lease runs out first, one waiter takes over; past {@code wait-timeout} a waiter
 * loads by itself.</li>
 * <li><b>No stale set.</b> The loaded value is stored only if the key's write sequence is
 * still the one seen when the load began, checked and set atomically in Redis; tag
 * versions are recorded before the loader runs, so an invalidation during the load makes
 * the stored entry a miss. L1 is filled only if no local write happened meanwhile.</li>
 * <li><b>Refresh ahead.</b> A hit may start one background refresh, under the same lock:
 * early (XFetch: when {@code now - delta * beta * ln(rand) >= expiry}) or, for an entry past
 * its TTL but within {@code stale-while-revalidate}, while the stale value is served.</li>
 * </ol>
 * When Redis is unreachable the loader runs locally (still single-flight in the JVM) and
 * only L1 is filled.
 *
 * <p>A cache with an existence filter asks it once neither tier holds the key, before the
 * lock: a key the filter has never seen is answered as null without a load. Loads inside a
 * transaction (whose own writes are not in the filter before the commit) and loads without
 * Redis are never filtered.
 */
final class ReadThrough {

	private static final Log logger = LogFactory.getLog(ReadThrough.class);

	private static final long WAKE_MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

	private final TieredCache cache;

	private final Set<String> refreshing = ConcurrentHashMap.newKeySet();

	ReadThrough(TieredCache cache) {
		this.cache = cache;
	}

	@Nullable Object read(ReadRequest request) throws Throwable {
		String key = request.key();
		InFlightLoads inFlight = this.cache.inFlight();
		while (true) {
			CacheEntry hit = this.cache.localHit(key);
			if (hit != null) {
				maybeRefreshEarly(request, hit);
				this.cache.offerAudit(request);
				return hit.get();
			}
			MissPolicy policy = this.cache.transactions().missPolicy();
			if (policy != MissPolicy.STORE) {
				return readInTransaction(request, policy);
			}
			CompletableFuture<Object> mine = new CompletableFuture<>();
			CompletableFuture<Object> leader = inFlight.claim(key, mine);
			if (leader != null) {
				try {
					return InFlightLoads.join(leader);
				}
				catch (InFlightLoads.Abandoned ex) {
					continue;
				}
			}
			try {
				Object value = readShared(request);
				inFlight.finish(key, mine, value);
				return value;
			}
			catch (Throwable ex) {
				if (InFlightLoads.isOwnInterruption(ex)) {
					// The interrupt was this thread's own (it may have made the loader fail): the
					// others try again without it.
					inFlight.abandon(key, mine);
				}
				else {
					inFlight.fail(key, mine, ex);
				}
				throw ex;
			}
		}
	}

	private @Nullable Object readShared(ReadRequest request) throws Throwable {
		String key = request.key();
		long stamp = this.cache.local().stamp(key);
		if (this.cache.services().localOnly()) {
			return loadLocally(request, stamp);
		}
		TieredCache.RemoteValue remote;
		try {
			remote = this.cache.readRemoteValue(key);
		}
		catch (RedisUnavailableException ex) {
			return loadLocally(request, stamp);
		}
		CacheEntry entry = remote.entry();
		if (entry != null) {
			long now = this.cache.entries().now();
			if (entry.isFresh(now)) {
				this.cache.local().fill(key, entry, stamp);
				maybeRefreshEarly(request, entry);
				this.cache.offerAudit(request);
				return entry.get();
			}
			if (entry.isServableStale(now) && request.refreshable()) {
				this.cache.statistics().servedStale();
				refreshInBackground(request, RefreshTrigger.STALE);
				return entry.get();
			}
		}
		if (entry == null && !remote.present() && !this.cache.mightExist(key)) {
			// Neither tier holds the key and the existence filter has never seen it: the
			// loader would find nothing. Answered as a loader's null, and not cached: the
			// next miss asks the filter again, which a write of the key will have updated.
			return null;
		}
		return loadCoordinated(request, stamp, remote.present(), fallbackOnError(entry));
	}

	/**
	 * Returns the entry a failed load may be answered with (stale-if-error), or null.
	 * @param entry the current entry Redis holds for the key, or null
	 */
	private @Nullable CacheEntry fallbackOnError(@Nullable CacheEntry entry) {
		return (entry != null && this.cache.entries().isServableOnError(entry)) ? entry : null;
	}

	/**
	 * Loads a key under its lock, or waits for the instance that holds it.
	 * @param sawValue whether the caller's read of Redis found a value (stale, outdated or
	 * unreadable); when it found none, a value stored since then is served rather than
	 * loaded again
	 * @param fallback the expired entry to serve if the load fails (stale-if-error), or null
	 */
	private @Nullable Object loadCoordinated(ReadRequest request, long stamp, boolean sawValue,
			@Nullable CacheEntry fallback) throws Throwable {
		CacheSettings settings = this.cache.settings();
		RedisStore store = this.cache.services().store();
		String key = request.key();
		String token = newToken();
		String entryId = this.cache.entryId(key);
		Versions versions;
		try {
			versions = this.cache.entries().versions(request.tags());
		}
		catch (RedisUnavailableException ex) {
			return loadLocally(request, stamp);
		}
		long deadline = System.nanoTime() + settings.waitTimeout().toNanos();
		long waitStarted = 0;
		boolean unlessStored = !sawValue;
		boolean servePending = true;
		while (true) {
			LoadTicket ticket;
			CompletableFuture<Void> wake = settings.stampedeEnabled() ? this.cache.services().waiters().register(entryId)
					: null;
			try {
				ticket = store.beginLoad(entryId, token, settings.lease().toMillis(),
						this.cache.entries().tombstoneTtlMillis(), settings.stampedeEnabled(), unlessStored,
						fallback != null, servePending);
			}
			catch (RedisUnavailableException ex) {
				unregister(entryId, wake);
				// The command may have taken the lock all the same: give it back once Redis
				// answers, so that other instances do not wait out the lease.
				if (settings.stampedeEnabled()) {
					this.cache.releaseLockLater(entryId, token);
				}
				return loadLocally(request, stamp);
			}
			if (ticket.backingOff() && fallback != null) {
				// Loads of this key failed moments ago: the database is not asked again yet.
				unregister(entryId, wake);
				this.cache.statistics().servedStaleOnError();
				return fallback.get();
			}
			if (ticket.stored() != null) {
				// Another load stored the value between this caller's read and its lock request.
				unregister(entryId, wake);
				CacheEntry stored = ticket.pending() ? this.cache.decodeStored(ticket.stored())
						: this.cache.currentEntry(ticket.stored());
				if (stored != null && stored.isFresh(this.cache.entries().now())) {
					if (waitStarted != 0) {
						recordWait(waitStarted, LockWaitOutcome.VALUE);
					}
					this.cache.local().fill(key, stored, stamp);
					return stored.get();
				}
				unlessStored = false;
				// A pending value this instance cannot read: the lock and a load, not a loop.
				servePending &= !ticket.pending();
				continue;
			}
			if (ticket.acquired()) {
				unregister(entryId, wake);
				if (waitStarted != 0) {
					recordWait(waitStarted, LockWaitOutcome.TAKEOVER);
				}
				return loadAndStore(request, entryId, ticket, token, versions, stamp, fallback);
			}
			if (waitStarted == 0) {
				waitStarted = System.nanoTime();
			}
			long remaining = deadline - System.nanoTime();
			if (remaining <= 0) {
				unregister(entryId, wake);
				recordWait(waitStarted, LockWaitOutcome.TIMEOUT);
				return loadAndStore(request, entryId, ticket, token, versions, stamp, fallback);
			}
			long holderLeft = TimeUnit.MILLISECONDS.toNanos(Math.max(0, ticket.holderTtlMillis())) + WAKE_MARGIN_NANOS;
			try {
				awaitWakeUp(wake, Math.min(remaining, holderLeft));
			}
			finally {
				unregister(entryId, wake);
			}
			TieredCache.RemoteValue remote;
			try {
				remote = this.cache.readRemoteValue(key);
			}
			catch (RedisUnavailableException ex) {
				return loadLocally(request, stamp);
			}
			CacheEntry entry = remote.entry();
			if (entry != null && entry.isFresh(this.cache.entries().now())) {
				recordWait(waitStarted, LockWaitOutcome.VALUE);
				this.cache.local().fill(key, entry, stamp);
				return entry.get();
			}
			unlessStored = !remote.present();
			// Only what Redis holds now may answer a failure: a write may have removed it.
			fallback = fallbackOnError(entry);
		}
	}

	private void unregister(String entryId, @Nullable CompletableFuture<Void> wake) {
		if (wake != null) {
			this.cache.services().waiters().unregister(entryId, wake);
		}
	}

	/**
	 * Waits for another instance's load to finish, at most the given time.
	 * @throws LoadWaitInterruptedException if this thread is interrupted, with its interrupt
	 * flag set again
	 */
	private static void awaitWakeUp(@Nullable CompletableFuture<Void> wake, long nanos) {
		try {
			if (wake == null) {
				TimeUnit.NANOSECONDS.sleep(Math.min(nanos, TimeUnit.MILLISECONDS.toNanos(50)));
			}
			else {
				wake.get(nanos, TimeUnit.NANOSECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new LoadWaitInterruptedException(ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			// Woken by the deadline: the caller re-checks the value and the lock.
		}
	}

	private void recordWait(long startedNanos, LockWaitOutcome outcome) {
		this.cache.statistics().lockWait(System.nanoTime() - startedNanos, outcome);
	}

	/**
	 * Runs the loader and stores its value under the ticket's write sequence, then
	 * releases the lock (or, when nothing is stored, releases it and wakes the waiters).
	 * A loader that throws an exception is answered with the fallback, if there is one
	 * still within its stale-if-error window, and starts the key's back-off.
	 */
	private @Nullable Object loadAndStore(ReadRequest request, String entryId, LoadTicket ticket, String token,
			Versions versions, long stamp, @Nullable CacheEntry fallback) throws Throwable {
		long started = System.nanoTime();
		Object value;
		try {
			value = timedLoad(request);
		}
		catch (Exception ex) {
			if (fallback != null && this.cache.entries().isServableOnError(fallback)) {
				backOff(entryId, token);
				this.cache.statistics().servedStaleOnError();
				return fallback.get();
			}
			releaseQuietly(entryId, token);
			throw ex;
		}
		catch (Throwable ex) {
			releaseQuietly(entryId, token);
			throw ex;
		}
		store(request, entryId, ticket, token, versions, stamp, value, System.nanoTime() - started);
		return value;
	}

	/**
	 * Stores a loaded value under the ticket's write sequence (unless a write came first),
	 * then in L1, and releases the lock or, when nothing is stored, releases it and wakes
	 * the waiters.
	 */
	private void store(ReadRequest request, String entryId, LoadTicket ticket, String token, Versions versions,
			long stamp, @Nullable Object value, long elapsedNanos) {
		RedisStore store = this.cache.services().store();
		long ttl = this.cache.entries().ttlMillisFor(value);
		if (ttl == 0 || !request.storable().test(value)) {
			releaseQuietly(entryId, token);
			return;
		}
		CacheEntry entry = this.cache.entries().newEntry(value, request.tags(), versions,
				(int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(elapsedNanos)), ttl);
		byte[] envelope = this.cache.entries().encode(entry);
		boolean fillLocal;
		try {
			// Stored under the sequence seen when the load began: fill.lua compares it.
			byte[] bytes = (envelope != null && ticket.sequence().length == RedisKeyLayout.SEQUENCE_LENGTH)
					? RedisStore.sequenced(envelope, ticket.sequence()) : null;
			boolean stored = store.fill(this.cache.encodedName(), entryId, bytes,
					this.cache.entries().redisTtlMillis(entry), token, this.cache.entries().schema());
			if (stored) {
				this.cache.statistics().put(CacheStatistics.Tier.L2);
			}
			// An unserializable value can still live in L1; a value that lost the race
			// against a write must not live anywhere.
			fillLocal = stored || envelope == null;
		}
		catch (RedisUnavailableException ex) {
			fillLocal = true;
		}
		if (fillLocal) {
			this.cache.local().fill(request.key(), entry, stamp);
		}
	}

	/**
	 * A miss inside a transaction: the value may be uncommitted, or come from a snapshot
	 * older than this miss, so it is never shared with other callers. Unless the policy
	 * keeps it out, it is stored after the commit, and then only if no write of the key came
	 * first (the write sequence is noted before the loader runs, as for any load); on
	 * rollback it is dropped. The caller always gets it.
	 */
	private @Nullable Object readInTransaction(ReadRequest request, MissPolicy policy) throws Throwable {
		String key = request.key();
		long stamp = this.cache.local().stamp(key);
		if (this.cache.services().localOnly()) {
			return readLocallyInTransaction(request, policy, stamp);
		}
		String entryId = this.cache.entryId(key);
		String token = newToken();
		Versions versions = null;
		LoadTicket ticket = null;
		try {
			CacheEntry entry = this.cache.readRemote(key);
			if (entry != null && entry.isFresh(this.cache.entries().now())) {
				this.cache.local().fill(key, entry, stamp);
				return entry.get();
			}
			if (policy == MissPolicy.STORE_AFTER_COMMIT) {
				versions = this.cache.entries().versions(request.tags());
				ticket = this.cache.services().store().beginLoad(entryId, token,
						this.cache.settings().lease().toMillis(), this.cache.entries().tombstoneTtlMillis(), false);
			}
		}
		catch (RedisUnavailableException ex) {
			// Nothing is stored after the commit: the key's write sequence is unknown.
		}
		long started = System.nanoTime();
		Object value = timedLoad(request);
		long elapsed = System.nanoTime() - started;
		if (ticket != null && policy == MissPolicy.STORE_AFTER_COMMIT) {
			LoadTicket seen = ticket;
			Versions noted = versions;
			CacheTransactions.afterCommit(
					() -> store(request, entryId, seen, token, noted, stamp, value, elapsed));
		}
		return value;
	}

	/**
	 * Loads without Redis (still single-flight in this JVM) and fills L1 only. The versions
	 * are noted before the loader runs, as for a coordinated load; those that cannot be read
	 * are provisional ones, good in this L1 until Redis answers again and L1 is emptied.
	 */
	private @Nullable Object loadLocally(ReadRequest request, long stamp) throws Throwable {
		Versions versions = this.cache.entries().localVersions(request.tags());
		long started = System.nanoTime();
		Object value = timedLoad(request);
		fillLocally(request, versions, stamp, value, System.nanoTime() - started);
		return value;
	}

	/**
	 * A miss inside a transaction in the L1-only mode: as {@link #readInTransaction}, with L1
	 * for the only tier (a local write of the key after the versions were noted keeps the
	 * value out).
	 */
	private @Nullable Object readLocallyInTransaction(ReadRequest request, MissPolicy policy, long stamp)
			throws Throwable {
		Versions versions = this.cache.entries().localVersions(request.tags());
		long started = System.nanoTime();
		Object value = timedLoad(request);
		long elapsed = System.nanoTime() - started;
		if (policy == MissPolicy.STORE_AFTER_COMMIT) {
			CacheTransactions.afterCommit(() -> fillLocally(request, versions, stamp, value, elapsed));
		}
		return value;
	}

	/** Fills L1 with a loaded value, unless it must not be cached or a local write came first. */
	private void fillLocally(ReadRequest request, Versions versions, long stamp, @Nullable Object value,
			long elapsedNanos) {
		long ttl = this.cache.entries().ttlMillisFor(value);
		if (ttl > 0 && request.storable().test(value)) {
			CacheEntry entry = this.cache.entries().newEntry(value, request.tags(), versions,
					(int) TimeUnit.NANOSECONDS.toMillis(elapsedNanos), ttl);
			this.cache.local().fill(request.key(), entry, stamp);
		}
	}

	/** Runs the loader and counts the load, successful or not, with its duration. */
	private @Nullable Object timedLoad(ReadRequest request) throws Throwable {
		long started = System.nanoTime();
		boolean success = false;
		try {
			Object value = this.cache.services().observer().load(this.cache.getName(), request.loader());
			success = true;
			return value;
		}
		finally {
			this.cache.statistics().load(System.nanoTime() - started, success);
		}
	}

	/** Gives the lock back after a failed load answered stale, and starts or doubles the back-off. */
	private void backOff(String entryId, String token) {
		CacheSettings settings = this.cache.settings();
		try {
			this.cache.services()
				.store()
				.releaseBackingOff(this.cache.encodedName(), entryId, token, settings.staleIfErrorBackoff().toMillis(),
						Math.max(settings.staleIfErrorBackoff().toMillis(), settings.staleIfError().toMillis()));
		}
		catch (RedisUnavailableException ex) {
			this.cache.releaseLockLater(entryId, token);
		}
	}

	private void releaseQuietly(String entryId, String token) {
		try {
			this.cache.releaseLock(entryId, token);
		}
		catch (RedisUnavailableException ex) {
			this.cache.releaseLockLater(entryId, token);
		}
	}

	private void maybeRefreshEarly(ReadRequest request, CacheEntry entry) {
		double beta = this.cache.settings().earlyRefreshBeta();
		if (beta <= 0 || !request.refreshable()) {
			return;
		}
		double random = ThreadLocalRandom.current().nextDouble();
		double ahead = -entry.loadMillis() * beta * Math.log(random);
		if (this.cache.entries().now() + ahead >= entry.expiresAt()) {
			refreshInBackground(request, RefreshTrigger.EARLY);
		}
	}

	/**
	 * Refreshes a key on a background thread, at most once at a time per key in this JVM
	 * and, through the lock, across instances; a refresh that finds the lock taken does
	 * nothing, since someone else is already loading.
	 */
	private void refreshInBackground(ReadRequest request, RefreshTrigger trigger) {
		String key = request.key();
		if (!this.refreshing.add(key)) {
			return;
		}
		try {
			this.cache.services().refreshExecutor().execute(() -> {
				try {
					refresh(request, trigger);
				}
				finally {
					this.refreshing.remove(key);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			this.refreshing.remove(key);
		}
	}

	private void refresh(ReadRequest foreground, RefreshTrigger trigger) {
		ReadRequest request = new ReadRequest(foreground.key(), foreground.tags(), foreground.refreshLoader(),
				foreground.storable(), foreground.refreshLoader());
		CacheSettings settings = this.cache.settings();
		long stamp = this.cache.local().stamp(request.key());
		if (this.cache.services().localOnly()) {
			try {
				this.cache.statistics().refresh(trigger);
				loadLocally(request, stamp);
			}
			catch (Throwable ex) {
				logger.debug("Background refresh of cache '" + this.cache.getName() + "' failed", ex);
			}
			return;
		}
		String token = newToken();
		try {
			Versions versions = this.cache.entries().versions(request.tags());
			String entryId = this.cache.entryId(request.key());
			LoadTicket ticket = this.cache.services().store().beginLoad(entryId, token, settings.lease().toMillis(),
					this.cache.entries().tombstoneTtlMillis(), true);
			if (!ticket.acquired()) {
				return;
			}
			this.cache.statistics().refresh(trigger);
			loadAndStore(request, entryId, ticket, token, versions, stamp, null);
		}
		catch (RedisUnavailableException ex) {
			logger.debug("Background refresh skipped: Redis is unreachable");
		}
		catch (Throwable ex) {
			logger.debug("Background refresh of cache '" + this.cache.getName() + "' failed", ex);
		}
	}

	private String newToken() {
		return newToken(this.cache.services().store().instanceId());
	}

	/** Returns a random lock token naming this instance. */
	static String newToken(String instanceId) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		return instanceId + ':' + Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
	}


}
