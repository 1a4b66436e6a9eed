package dev.tieredcache.batch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import dev.tieredcache.cache.CacheEntry;
import dev.tieredcache.cache.CacheInternals;
import dev.tieredcache.cache.InFlightLoads;

/**
 * Batch read-through of one {@link dev.tieredcache.cache.TieredCache}: what
 * {@code getAll} and {@code @ReadThroughAll} do. Every key is its own cache entry, the same
 * one a single read of the key reaches, so single reads, writes and tag invalidations of
 * one element apply to it alone.
 *
 * <ol>
 * <li><b>L1</b> answers what it holds fresh, without touching Redis.</li>
 * <li><b>Single flight in the JVM, per key.</b> The remaining keys are claimed in the
 * cache's {@link InFlightLoads}, shared with single reads: a key another caller of this JVM
 * (single or batch) is already reading is not read again but joined, once this batch has
 * finished with the keys it claimed (so two batches joining each other's keys cannot wait
 * for each other).</li>
 * <li><b>Redis, one round trip</b> for the claimed keys: one {@code MGET} (split by slot
 * and pipelined on a cluster).</li>
 * <li><b>One lock per key across instances</b>, taken for all keys still missing in one
 * script call per slot ({@code acquire-many.lua}), which also notes each key's write
 * sequence. Tag, group and epoch versions are noted before.</li>
 * <li><b>One loader call</b> with exactly the keys this caller locked; keys the loader's
 * map lacks are cached as null (for the null TTL). Every value is stored in one script call
 * per slot ({@code fill-many.lua}), each only if its key's write sequence is unchanged (no
 * stale set), with its own jittered TTL and tags; L1 is filled unless the key was written
 * here meanwhile.</li>
 * <li><b>Keys locked by another instance</b> are then waited for, woken by their
 * load-finished messages (never polled), and read in one more {@code MGET}. A key whose
 * holder gave up or died is locked and loaded by this caller in a further loader call,
 * the only case in which the loader runs twice; past {@code stampede.wait-timeout} it is
 * loaded regardless, as a single read does.</li>
 * </ol>
 * When Redis is unreachable, the keys L1 does not hold are loaded in one call (still
 * shared per key in this JVM) and only L1 is filled. Inside a transaction that may write,
 * the batch behaves as a single read does there: loaded values are returned, not shared,
 * and stored only after the commit. Batch reads do not refresh ahead: an entry past its TTL
 * is loaded again, never served stale. Thread-safe.
 */
public final class BatchReadThrough {

	private final CacheInternals cache;

	private final BatchLoads loads;

	/**
	 * Creates the batch reader of a cache.
	 * @param cache the cache's internals
	 */
	public BatchReadThrough(CacheInternals cache) {
		this.cache = cache;
		this.loads = new BatchLoads(cache);
	}

	/**
	 * Returns the values of keys, loading the missing ones with one loader call.
	 * @param <K> the key type
	 * @param <V> the value type
	 * @param keys the keys
	 * @param loader loads the values of the keys it is given
	 * @return every key with a non-null value, in request order
	 */
	@SuppressWarnings("unchecked")
	public <K, V> Map<K, V> getAll(Collection<K> keys, Function<Set<K>, Map<K, V>> loader) {
		BatchRequest request = BatchRequest.of(keys,
				(missing) -> loader.apply((Set<K>) new LinkedHashSet<>(missing)));
		try {
			return (Map<K, V>) read(request);
		}
		catch (RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			// Only a loader that throws checked exceptions sneakily gets here.
			throw new IllegalStateException("Batch loader failed", ex);
		}
	}

	/**
	 * Returns the values of keys that either tier holds, without loading.
	 * @param <K> the key type
	 * @param <V> the value type
	 * @param keys the keys
	 * @return every key found with a non-null value, in request order
	 */
	@SuppressWarnings("unchecked")
	public <K, V> Map<K, V> getAll(Collection<K> keys) {
		try {
			return (Map<K, V>) read(BatchRequest.of(keys, null));
		}
		catch (RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Copies into L1 the entries Redis holds for keys that L1 lacks, as reads of them would,
	 * in one round trip, without loading anything and without counting reads (warm start).
	 * @param encodedKeys the encoded keys
	 * @return how many entries were handed to L1
	 * @throws dev.tieredcache.redis.RedisUnavailableException if Redis cannot be reached
	 */
	public int fillLocal(List<String> encodedKeys) {
		if (this.cache.localOnly() || !this.cache.settings().localEnabled()) {
			return 0;
		}
		List<BatchElement> absent = new ArrayList<>(encodedKeys.size());
		for (String key : new LinkedHashSet<>(encodedKeys)) {
			if (!this.cache.containsLocally(key)) {
				absent.add(new BatchElement(key, key));
			}
		}
		return absent.isEmpty() ? 0 : this.loads.fillLocal(absent);
	}

	/**
	 * Reads a batch through the cache.
	 * @param request the batch
	 * @return every key of the request with a non-null value, by original key, in request
	 * order
	 * @throws Throwable whatever the loader throws
	 */
	public Map<Object, Object> read(BatchRequest request) throws Throwable {
		List<BatchElement> all = new ArrayList<>(request.keys().size());
		List<BatchElement> missing = new ArrayList<>();
		InFlightLoads inFlight = this.cache.inFlight();
		for (int i = 0; i < request.keys().size(); i++) {
			BatchElement element = new BatchElement(request.keys().get(i), request.encodedKeys().get(i));
			all.add(element);
			CacheEntry hit = this.cache.localHit(element.encoded);
			if (hit != null) {
				element.resolve(hit.get(), inFlight);
			}
			else {
				missing.add(element);
			}
		}
		this.cache.countBatch(all.size());
		if (!missing.isEmpty()) {
			if (request.loader() == null) {
				this.loads.readOnly(missing);
			}
			else {
				// Evaluated before any claim, so a failing tag expression fails no one else.
				for (BatchElement element : missing) {
					element.tags = request.tags(element.key);
				}
				if (this.cache.inWritingTransaction()) {
					this.loads.readInTransaction(request, missing);
				}
				else {
					readShared(request, missing);
				}
			}
		}
		Map<Object, Object> result = new LinkedHashMap<>();
		for (BatchElement element : all) {
			if (element.value() != null) {
				result.put(element.key, element.value());
			}
		}
		return result;
	}

	private void readShared(BatchRequest request, List<BatchElement> missing) throws Throwable {
		InFlightLoads inFlight = this.cache.inFlight();
		List<BatchElement> pending = missing;
		while (!pending.isEmpty()) {
			List<BatchElement> claimed = new ArrayList<>();
			List<BatchElement> joined = new ArrayList<>();
			for (BatchElement element : pending) {
				CompletableFuture<Object> mine = new CompletableFuture<>();
				CompletableFuture<Object> holder = inFlight.claim(element.encoded, mine);
				if (holder == null) {
					element.claim = mine;
					claimed.add(element);
				}
				else {
					element.joined = holder;
					joined.add(element);
				}
			}
			if (!claimed.isEmpty()) {
				readClaimed(request, claimed);
			}
			pending = new ArrayList<>();
			for (BatchElement element : joined) {
				try {
					element.resolve(InFlightLoads.join(element.joined), inFlight);
				}
				catch (InFlightLoads.Abandoned ex) {
					pending.add(element);
				}
			}
		}
	}

	/** Reads and loads the keys this batch claimed, and settles every claim. */
	private void readClaimed(BatchRequest request, List<BatchElement> claimed) throws Throwable {
		InFlightLoads inFlight = this.cache.inFlight();
		try {
			this.loads.readCoordinated(request, claimed);
		}
		catch (Throwable ex) {
			// This thread's own interrupt: the joiners claim the keys again without it.
			boolean own = InFlightLoads.isOwnInterruption(ex);
			for (BatchElement element : claimed) {
				if (element.claim != null) {
					if (own) {
						inFlight.abandon(element.encoded, element.claim);
					}
					else {
						inFlight.fail(element.encoded, element.claim, ex);
					}
				}
			}
			throw ex;
		}
	}

}
