package dev.tieredcache.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;

import dev.tieredcache.cache.CacheEntry;
import dev.tieredcache.cache.CacheInternals;
import dev.tieredcache.cache.CacheSettings;
import dev.tieredcache.cache.CacheStatistics.LockWaitOutcome;
import dev.tieredcache.cache.LoadWaitInterruptedException;
import dev.tieredcache.existence.ExistenceFilter;
import dev.tieredcache.redis.LoadWaiters;
import dev.tieredcache.redis.RedisBatchStore;
import dev.tieredcache.redis.RedisKeyLayout;
import dev.tieredcache.redis.RedisStore;
import dev.tieredcache.redis.RedisStore.LoadTicket;
import dev.tieredcache.redis.RedisUnavailableException;

/**
 * The Redis side of a batch read (see {@link BatchReadThrough} for the steps): reading,
 * locking, loading, storing and waiting for the keys one batch holds in this JVM. Every
 * method resolves every element it is given, or throws what the loader threw.
 */
final class BatchLoads {

	private static final long WAKE_MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

	private final CacheInternals cache;

	private volatile @Nullable RedisBatchStore redis;

	BatchLoads(CacheInternals cache) {
		this.cache = cache;
	}

	private RedisBatchStore redis() {
		RedisBatchStore batchStore = this.redis;
		if (batchStore == null) {
			batchStore = new RedisBatchStore(this.cache.services().store());
			this.redis = batchStore;
		}
		return batchStore;
	}

	/** Reads keys from Redis without loading; a Redis failure leaves them unresolved. */
	void readOnly(List<BatchElement> elements) {
		if (this.cache.localOnly()) {
			return;
		}
		BatchElement.prepare(elements, this.cache);
		try {
			readRemote(elements);
		}
		catch (RedisUnavailableException ex) {
			// L1 answered what it could.
		}
	}

	/**
	 * Copies into L1 the entries Redis holds for keys, in one round trip ({@code MGET}, one
	 * per slot on a cluster), exactly as a read of each key would fill L1 (the same checks of
	 * tags, groups, epoch and freshness, under the key's L1 write stamp), without counting
	 * reads and without loading.
	 * @return how many entries were handed to L1
	 * @throws RedisUnavailableException if Redis cannot be reached
	 */
	int fillLocal(List<BatchElement> elements) {
		BatchElement.prepare(elements, this.cache);
		List<byte @Nullable []> stored = this.cache.readStored(redis(), BatchElement.entryIds(elements));
		long now = this.cache.now();
		int filled = 0;
		for (int i = 0; i < elements.size(); i++) {
			CacheEntry entry = this.cache.currentEntry(stored.get(i));
			if (entry != null && entry.isFresh(now)) {
				this.cache.fillLocal(elements.get(i).encoded, entry, elements.get(i).stamp);
				filled++;
			}
		}
		return filled;
	}

	/**
	 * Reads the keys a batch claimed in this JVM: Redis, then locks, one load of the locked
	 * keys, then waits for the keys other instances load.
	 */
	void readCoordinated(BatchRequest request, List<BatchElement> claimed) throws Throwable {
		BatchElement.prepare(claimed, this.cache);
		if (this.cache.localOnly()) {
			loadLocally(request, claimed);
			return;
		}
		List<BatchElement> remaining;
		try {
			remaining = readRemote(claimed);
		}
		catch (RedisUnavailableException ex) {
			loadLocally(request, claimed);
			return;
		}
		remaining = rejectAbsent(remaining);
		CacheSettings settings = this.cache.settings();
		long deadline = System.nanoTime() + settings.waitTimeout().toNanos();
		while (!remaining.isEmpty()) {
			remaining = lockLoadAndWait(request, remaining, deadline);
		}
	}

	/**
	 * Asks the cache's existence filter, if any, about the keys neither tier holds, in one
	 * round trip, and resolves those it has never seen as absent, without a lock or a load.
	 * @return the keys still to load
	 */
	private List<BatchElement> rejectAbsent(List<BatchElement> missing) {
		ExistenceFilter filter = this.cache.cache().getExistenceFilter();
		if (filter == null || missing.isEmpty()) {
			return missing;
		}
		// A key that held a value (stale, outdated, unreadable) existed: no need to ask.
		List<BatchElement> unseen = new ArrayList<>();
		for (BatchElement element : missing) {
			if (!element.sawValue) {
				unseen.add(element);
			}
		}
		boolean[] mayExist = filter.mightContainAll(unseen.stream().map((element) -> element.encoded).toList());
		List<BatchElement> remaining = new ArrayList<>(missing.size());
		int next = 0;
		for (BatchElement element : missing) {
			if (!element.sawValue && !mayExist[next++]) {
				element.resolve(null, this.cache.inFlight());
			}
			else {
				remaining.add(element);
			}
		}
		return remaining;
	}

	/**
	 * One round: note versions, lock what is free, load it, wait for the rest.
	 * @return the keys still without a value (their holder gave up): the next round's
	 */
	private List<BatchElement> lockLoadAndWait(BatchRequest request, List<BatchElement> elements, long deadline)
			throws Throwable {
		CacheSettings settings = this.cache.settings();
		boolean lock = settings.stampedeEnabled();
		try {
			for (BatchElement element : elements) {
				element.noted = this.cache.noteVersions(element.tags);
			}
		}
		catch (RedisUnavailableException ex) {
			loadLocally(request, elements);
			return List.of();
		}
		String token = this.cache.newToken();
		LoadWaiters waiters = this.cache.services().waiters();
		List<BatchElement> mine = new ArrayList<>();
		List<BatchElement> theirs = new ArrayList<>();
		try {
			if (lock) {
				// Before asking for the locks, so that no load-finished message is missed.
				for (BatchElement element : elements) {
					element.wake = waiters.register(element.entryId);
				}
			}
			List<LoadTicket> tickets;
			try {
				boolean[] unlessStored = new boolean[elements.size()];
				boolean[] skipPending = new boolean[elements.size()];
				for (int i = 0; i < unlessStored.length; i++) {
					unlessStored[i] = !elements.get(i).sawValue;
					skipPending[i] = elements.get(i).unreadablePending;
				}
				tickets = redis().beginLoads(BatchElement.entryIds(elements), token, settings.lease().toMillis(),
						this.cache.tombstoneTtlMillis(), lock, unlessStored, skipPending);
			}
			catch (RedisUnavailableException ex) {
				if (lock) {
					// The locks may have been taken all the same: given back once Redis answers.
					elements.forEach((element) -> this.cache.releaseLockLater(element.entryId, token));
				}
				unregister(elements);
				loadLocally(request, elements);
				return List.of();
			}
			boolean late = System.nanoTime() - deadline >= 0;
			for (int i = 0; i < elements.size(); i++) {
				BatchElement element = elements.get(i);
				element.ticket = tickets.get(i);
				if (element.ticket.acquired() || late) {
					if (element.waitStarted != 0) {
						recordWait(element, element.ticket.acquired() ? LockWaitOutcome.TAKEOVER
								: LockWaitOutcome.TIMEOUT);
					}
					mine.add(element);
				}
				else {
					theirs.add(element);
				}
			}
			unregister(mine);
			if (!mine.isEmpty()) {
				loadAndStore(request, mine, token);
			}
			if (theirs.isEmpty()) {
				return List.of();
			}
			return awaitOthers(request, theirs, deadline);
		}
		finally {
			unregister(elements);
		}
	}

	/**
	 * Waits until every key another instance holds is loaded (woken by its load-finished
	 * message), its lease runs out or the deadline passes, then reads them in one round trip.
	 */
	private List<BatchElement> awaitOthers(BatchRequest request, List<BatchElement> theirs, long deadline)
			throws Throwable {
		long longestLease = -1;
		List<CompletableFuture<Void>> wakes = new ArrayList<>(theirs.size());
		long now = System.nanoTime();
		for (BatchElement element : theirs) {
			if (element.waitStarted == 0) {
				element.waitStarted = now;
			}
			longestLease = Math.max(longestLease, element.ticket.holderTtlMillis());
			wakes.add(element.wake);
		}
		// -1: every key already holds a value stored since this batch read it, to read now.
		long wait = (longestLease < 0) ? 0
				: Math.min(deadline - now, TimeUnit.MILLISECONDS.toNanos(longestLease) + WAKE_MARGIN_NANOS);
		await(CompletableFuture.allOf(wakes.toArray(new CompletableFuture<?>[0])), wait);
		unregister(theirs);
		List<BatchElement> left = new ArrayList<>();
		List<byte @Nullable []> stored;
		try {
			stored = this.cache.readStored(redis(), BatchElement.entryIds(theirs));
		}
		catch (RedisUnavailableException ex) {
			loadLocally(request, theirs);
			return List.of();
		}
		long at = this.cache.now();
		for (int i = 0; i < theirs.size(); i++) {
			BatchElement element = theirs.get(i);
			element.sawValue = holdsValue(stored.get(i));
			CacheEntry entry = this.cache.readStored(stored.get(i), element.ticket.pending());
			// A pending value this instance cannot read: the lock and a load next, not a loop.
			element.unreadablePending |= element.ticket.pending() && entry == null;
			if (entry != null && entry.isFresh(at)) {
				recordWait(element, LockWaitOutcome.VALUE);
				this.cache.fillLocal(element.encoded, entry, element.stamp);
				element.resolve(entry.get(), this.cache.inFlight());
			}
			else {
				left.add(element);
			}
		}
		return left;
	}

	private static void await(CompletableFuture<Void> wake, long nanos) {
		if (nanos <= 0) {
			return;
		}
		try {
			wake.get(nanos, TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new LoadWaitInterruptedException(ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			// Woken by the deadline or a lease's end: the caller reads what is there.
		}
	}

	/** Whether stored bytes are a value (current or not) rather than nothing or a tombstone. */
	private static boolean holdsValue(byte @Nullable [] stored) {
		return stored != null && !RedisStore.isTombstone(stored);
	}

	private void unregister(List<BatchElement> elements) {
		LoadWaiters waiters = this.cache.services().waiters();
		for (BatchElement element : elements) {
			CompletableFuture<Void> wake = element.wake;
			if (wake != null) {
				element.wake = null;
				waiters.unregister(element.entryId, wake);
			}
		}
	}

	private void recordWait(BatchElement element, LockWaitOutcome outcome) {
		this.cache.countLockWait(System.nanoTime() - element.waitStarted, outcome);
		element.waitStarted = 0;
	}

	/**
	 * Reads keys from Redis in one round trip; fresh entries fill L1 and resolve their key.
	 * @return the keys Redis does not hold fresh
	 * @throws RedisUnavailableException if Redis cannot be reached
	 */
	private List<BatchElement> readRemote(List<BatchElement> elements) {
		List<byte @Nullable []> stored = this.cache.readStored(redis(), BatchElement.entryIds(elements));
		long now = this.cache.now();
		List<BatchElement> missing = new ArrayList<>();
		for (int i = 0; i < elements.size(); i++) {
			BatchElement element = elements.get(i);
			element.sawValue = holdsValue(stored.get(i));
			CacheEntry entry = this.cache.readStored(stored.get(i));
			if (entry != null && entry.isFresh(now)) {
				this.cache.fillLocal(element.encoded, entry, element.stamp);
				element.resolve(entry.get(), this.cache.inFlight());
			}
			else {
				missing.add(element);
			}
		}
		return missing;
	}

	/**
	 * Loads the keys this batch locked (or, past the deadline, took over) with one loader
	 * call, stores them and releases the locks; on a loader failure, releases the locks and
	 * wakes the waiters before rethrowing.
	 */
	private void loadAndStore(BatchRequest request, List<BatchElement> mine, String token) throws Throwable {
		Map<?, ?> loaded;
		long started = System.nanoTime();
		try {
			loaded = load(request, mine);
		}
		catch (Throwable ex) {
			release(mine, token);
			throw ex;
		}
		int loadMillis = (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
		store(request, mine, token, loaded, loadMillis);
	}

	/**
	 * Stores loaded values, each under its ticket's write sequence (so a write since its
	 * load began wins), fills L1 with those stored (or that Redis could not take) and
	 * resolves every element.
	 */
	private void store(BatchRequest request, List<BatchElement> elements, String token, Map<?, ?> loaded,
			int loadMillis) {
		int n = elements.size();
		List<byte @Nullable []> bytes = new ArrayList<>(n);
		long[] ttls = new long[n];
		CacheEntry[] entries = new CacheEntry[n];
		boolean[] unserializable = new boolean[n];
		for (int i = 0; i < n; i++) {
			BatchElement element = elements.get(i);
			Object value = loaded.get(element.key);
			CacheEntry entry = entry(request, element, value, loadMillis);
			byte[] envelope = (entry != null) ? this.cache.encode(entry) : null;
			entries[i] = entry;
			unserializable[i] = entry != null && envelope == null;
			byte[] sequence = (element.ticket != null) ? element.ticket.sequence() : null;
			bytes.add((envelope != null && sequence != null && sequence.length == RedisKeyLayout.SEQUENCE_LENGTH)
					? RedisStore.sequenced(envelope, sequence) : null);
			ttls[i] = (entry != null) ? this.cache.redisTtlMillis(entry) : 1;
		}
		boolean[] stored = null;
		try {
			stored = redis().fill(this.cache.encodedName(), BatchElement.entryIds(elements), bytes, ttls, token,
					this.cache.schema());
		}
		catch (RedisUnavailableException ex) {
			elements.forEach((element) -> this.cache.releaseLockLater(element.entryId, token));
		}
		for (int i = 0; i < n; i++) {
			BatchElement element = elements.get(i);
			if (stored != null && stored[i]) {
				this.cache.countRedisPut();
			}
			// An unserializable value can still live in L1; one that lost the race against a
			// write must not live anywhere.
			if (entries[i] != null && (stored == null || stored[i] || unserializable[i])) {
				this.cache.fillLocal(element.encoded, entries[i], element.stamp);
			}
			element.resolve(loaded.get(element.key), this.cache.inFlight());
		}
	}

	/** Builds the entry of a loaded value, or null if it must not be cached. */
	private @Nullable CacheEntry entry(BatchRequest request, BatchElement element, @Nullable Object value,
			int loadMillis) {
		if (element.noted == null || !request.storable(element.key, value)) {
			return null;
		}
		String[] valueTags = request.valueTags(element.key, value);
		return (valueTags != null) ? this.cache.newEntry(value, element.noted, valueTags, loadMillis) : null;
	}

	/** Gives the locks back and wakes the waiters, after a failed load. */
	private void release(List<BatchElement> elements, String token) {
		List<byte @Nullable []> nothing = new ArrayList<>(elements.size());
		elements.forEach((element) -> nothing.add(null));
		try {
			redis().fill(this.cache.encodedName(), BatchElement.entryIds(elements), nothing, new long[elements.size()],
					token, this.cache.schema());
		}
		catch (RedisUnavailableException ex) {
			elements.forEach((element) -> this.cache.releaseLockLater(element.entryId, token));
		}
	}

	/**
	 * A batch inside a transaction that may write: values loaded here may be uncommitted,
	 * so they are neither shared nor stored until the commit, and then only where no write
	 * came first (the write sequences are noted before the loader runs). The caller always
	 * gets them.
	 */
	void readInTransaction(BatchRequest request, List<BatchElement> missing) throws Throwable {
		BatchElement.prepare(missing, this.cache);
		if (this.cache.localOnly()) {
			readLocallyInTransaction(request, missing);
			return;
		}
		List<BatchElement> remaining = missing;
		String token = this.cache.newToken();
		boolean noted;
		try {
			remaining = readRemote(missing);
			if (remaining.isEmpty()) {
				return;
			}
			for (BatchElement element : remaining) {
				element.noted = this.cache.noteVersions(element.tags);
			}
			List<LoadTicket> tickets = redis().beginLoads(BatchElement.entryIds(remaining), token,
					this.cache.settings().lease().toMillis(), this.cache.tombstoneTtlMillis(), false);
			for (int i = 0; i < remaining.size(); i++) {
				remaining.get(i).ticket = tickets.get(i);
			}
			noted = true;
		}
		catch (RedisUnavailableException ex) {
			// Nothing is stored after the commit: the keys' write sequences are unknown.
			noted = false;
		}
		long started = System.nanoTime();
		Map<?, ?> loaded = load(request, remaining);
		int loadMillis = (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
		for (BatchElement element : remaining) {
			element.resolve(loaded.get(element.key), this.cache.inFlight());
		}
		if (noted && this.cache.storesAfterCommit()) {
			List<BatchElement> toStore = remaining;
			this.cache.afterCommit(() -> store(request, toStore, token, loaded, loadMillis));
		}
	}

	/**
	 * Loads without Redis, in one loader call, and fills L1 only. Versions are noted before
	 * the loader runs; a key whose versions cannot be known is returned and kept nowhere.
	 */
	void loadLocally(BatchRequest request, List<BatchElement> elements) throws Throwable {
		for (BatchElement element : elements) {
			try {
				element.noted = this.cache.noteVersions(element.tags);
			}
			catch (RedisUnavailableException ex) {
				element.noted = null;
			}
		}
		long started = System.nanoTime();
		Map<?, ?> loaded = load(request, elements);
		int loadMillis = (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
		fillLocally(request, elements, loaded, loadMillis);
		for (BatchElement element : elements) {
			element.resolve(loaded.get(element.key), this.cache.inFlight());
		}
	}

	/**
	 * A batch inside a transaction that may write, in the L1-only mode: as
	 * {@link #readInTransaction}, with L1 for the only tier.
	 */
	private void readLocallyInTransaction(BatchRequest request, List<BatchElement> missing) throws Throwable {
		for (BatchElement element : missing) {
			element.noted = this.cache.noteVersions(element.tags);
		}
		long started = System.nanoTime();
		Map<?, ?> loaded = load(request, missing);
		int loadMillis = (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
		for (BatchElement element : missing) {
			element.resolve(loaded.get(element.key), this.cache.inFlight());
		}
		if (this.cache.storesAfterCommit()) {
			this.cache.afterCommit(() -> fillLocally(request, missing, loaded, loadMillis));
		}
	}

	/** Fills L1 with the loaded values, except where a local write came first. */
	private void fillLocally(BatchRequest request, List<BatchElement> elements, Map<?, ?> loaded, int loadMillis) {
		for (BatchElement element : elements) {
			CacheEntry entry = entry(request, element, loaded.get(element.key), loadMillis);
			if (entry != null) {
				this.cache.fillLocal(element.encoded, entry, element.stamp);
			}
		}
	}

	/** Calls the loader once with the elements' keys, in request order, and counts the loads. */
	private Map<?, ?> load(BatchRequest request, List<BatchElement> elements) throws Throwable {
		List<Object> keys = new ArrayList<>(elements.size());
		elements.forEach((element) -> keys.add(element.key));
		long started = System.nanoTime();
		boolean success = false;
		try {
			Map<?, ?> loaded = request.loader().load(keys);
			success = true;
			return (loaded != null) ? loaded : Map.of();
		}
		finally {
			this.cache.countLoads(keys.size(), System.nanoTime() - started, success);
		}
	}

}
