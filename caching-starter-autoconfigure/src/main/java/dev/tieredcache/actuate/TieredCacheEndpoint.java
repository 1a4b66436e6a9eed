package dev.tieredcache.actuate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

import dev.tieredcache.TieredCacheOperations;
import dev.tieredcache.cache.CacheSettings;
import dev.tieredcache.cache.CacheStatistics;
import dev.tieredcache.cache.CacheStatistics.Tier;
import dev.tieredcache.cache.HotKeyHash;
import dev.tieredcache.cache.HotKeys;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.existence.BloomSizing;
import dev.tieredcache.existence.ExistenceFilter;
import dev.tieredcache.existence.ExistenceFilters;
import dev.tieredcache.redis.CircuitBreaker;
import dev.tieredcache.redis.RedisUnavailableException;
import dev.tieredcache.writebehind.WriteBehindDeadLetters;

/**
 * The {@code tieredcache} actuator endpoint. Over HTTP, under the actuator base path:
 *
 * <ul>
 * <li>{@code GET /tieredcache}: every cache with its effective settings, L1 size and hit
 * ratio per tier, and whether the Redis circuit is open.</li>
 * <li>{@code GET /tieredcache/{cache}}: one cache; 404 if it does not exist.</li>
 * <li>In both, for a cache with an existence filter, its size and how many misses it
 * rejected, passed and skipped on this instance.</li>
 * <li>In both, the hottest keys of each cache whose hot-key tracking is on, with their
 * estimated reads: as a stable hash of the encoded key (the first 16 hex digits of its
 * SHA-256), and the encoded key itself only when {@code tiered-cache.hot-keys.expose-keys}
 * is set.</li>
 * <li>{@code POST /tieredcache} with {@code {"tag": "user:42"}} and/or
 * {@code {"group": "team:7"}}: invalidates a tag and/or bumps a versioned group, on every
 * instance.</li>
 * <li>{@code DELETE /tieredcache/{cache}?key=42}: evicts one key (given as the string form
 * of the cache key) from both tiers on every instance; without {@code key}, clears the
 * cache on every instance.</li>
 * <li>{@code GET /tieredcache/{cache}/dead-letters?max=100}: the dead letters of a
 * write-behind cache, oldest first: id, failed attempts and type of the last failure of
 * each, and how many there are; 404 if the cache does not exist or is not written behind.</li>
 * <li>{@code POST /tieredcache/{cache}/dead-letters/{id}}: replays a dead letter (its value
 * is pending again, unless a newer write of the key supersedes it).</li>
 * <li>{@code DELETE /tieredcache/{cache}/dead-letters/{id}}: drops a dead letter.</li>
 * <li>{@code POST /tieredcache/{cache}/existence-filter}: rebuilds the cache's existence
 * filter from its {@code ExistingKeys} now, and answers once it is done, with the number of
 * keys added; keys written meanwhile are kept. 400 if the cache has no filter.</li>
 * </ul>
 *
 * Nothing it reads shows a cached value, nor a key unless told to. It never creates a cache: naming one that
 * does not exist is a bad request. It is exposed like any other endpoint, only where the
 * application exposes it ({@code management.endpoints.web.exposure.include}).
 */
@Endpoint(id = "tieredcache")
public class TieredCacheEndpoint {

	/** The path segment under a cache that names its dead letters. */
	public static final String DEAD_LETTERS = "dead-letters";

	/** The path segment under a cache that names its existence filter. */
	public static final String EXISTENCE_FILTER = "existence-filter";

	private static final int MAX_DEAD_LETTERS = 1000;

	private final TieredCacheManager manager;

	private final TieredCacheOperations operations;

	private final @Nullable CircuitBreaker circuit;

	private final boolean exposeKeys;

	private final @Nullable WriteBehindDeadLetters deadLetters;

	private final @Nullable ExistenceFilters existenceFilters;

	/**
	 * Creates the endpoint, showing hashes of hot keys only, without write-behind dead
	 * letters.
	 * @param manager the caches
	 * @param operations performs the invalidations
	 * @param circuit the circuit breaker guarding Redis, if known
	 */
	public TieredCacheEndpoint(TieredCacheManager manager, TieredCacheOperations operations,
			@Nullable CircuitBreaker circuit) {
		this(manager, operations, circuit, false, null);
	}

	/**
	 * Creates the endpoint.
	 * @param manager the caches
	 * @param operations performs the invalidations
	 * @param circuit the circuit breaker guarding Redis, if known
	 * @param exposeKeys whether hot keys are shown themselves, not only as hashes
	 * @param deadLetters the write-behind dead letters, if write-behind is set up
	 */
	public TieredCacheEndpoint(TieredCacheManager manager, TieredCacheOperations operations,
			@Nullable CircuitBreaker circuit, boolean exposeKeys, @Nullable WriteBehindDeadLetters deadLetters) {
		this(manager, operations, circuit, exposeKeys, deadLetters, null);
	}

	/**
	 * Creates the endpoint.
	 * @param manager the caches
	 * @param operations performs the invalidations
	 * @param circuit the circuit breaker guarding Redis, if known
	 * @param exposeKeys whether hot keys are shown themselves, not only as hashes
	 * @param deadLetters the write-behind dead letters, if write-behind is set up
	 * @param existenceFilters the existence filters, if known
	 */
	public TieredCacheEndpoint(TieredCacheManager manager, TieredCacheOperations operations,
			@Nullable CircuitBreaker circuit, boolean exposeKeys, @Nullable WriteBehindDeadLetters deadLetters,
			@Nullable ExistenceFilters existenceFilters) {
		this.manager = manager;
		this.operations = operations;
		this.circuit = circuit;
		this.exposeKeys = exposeKeys;
		this.deadLetters = deadLetters;
		this.existenceFilters = existenceFilters;
	}

	/**
	 * Describes every cache.
	 * @return the caches, by name
	 */
	@ReadOperation
	public CachesDescriptor caches() {
		Map<String, CacheDescriptor> caches = new TreeMap<>();
		for (TieredCache cache : this.manager.getCaches()) {
			caches.put(cache.getName(), describe(cache));
		}
		return new CachesDescriptor(this.manager.getServices().localOnly() ? "local" : "redis",
				(this.circuit != null) ? this.circuit.isOpen() : null, caches);
	}

	/**
	 * Describes one cache.
	 * @param cache the cache name
	 * @return the cache, or null (404) if there is none of that name
	 */
	@ReadOperation
	public @Nullable CacheDescriptor cache(@Selector String cache) {
		TieredCache found = find(cache);
		return (found != null) ? describe(found) : null;
	}

	/**
	 * Invalidates a tag and/or bumps a versioned group, on every instance.
	 * @param tag the tag to invalidate, if any
	 * @param group the group whose version to bump, if any
	 * @return what was done
	 */
	@WriteOperation
	public InvalidationDescriptor invalidate(@Nullable String tag, @Nullable String group) {
		if (tag == null && group == null) {
			throw new InvalidEndpointRequestException("Give a 'tag' to invalidate or a 'group' to bump",
					"Missing 'tag' or 'group'");
		}
		if (tag != null) {
			this.operations.invalidateTags(tag);
		}
		Long version = (group != null) ? this.operations.bumpVersion(group) : null;
		return new InvalidationDescriptor(tag != null, version);
	}

	/**
	 * Evicts one key of a cache, or clears the whole cache, on every instance.
	 * @param cache the cache name
	 * @param key the key as a string, or null to clear the cache
	 * @return what was done
	 */
	@DeleteOperation
	public EvictionDescriptor evict(@Selector String cache, @Nullable String key) {
		TieredCache target = find(cache);
		if (target == null) {
			throw new InvalidEndpointRequestException("No cache named '" + cache + "'", "Unknown cache");
		}
		if (key != null) {
			this.operations.evict(cache, key);
			return new EvictionDescriptor(cache, "key");
		}
		target.clear();
		return new EvictionDescriptor(cache, "clear");
	}

	/**
	 * Lists the dead letters of a write-behind cache, oldest first, without keys or values.
	 * @param cache the cache name
	 * @param section {@value #DEAD_LETTERS}
	 * @param max how many at most (default 100, at most 1000)
	 * @return the dead letters, or null (404) if the cache does not exist or is not written
	 * behind
	 */
	@ReadOperation
	public @Nullable DeadLettersDescriptor deadLetters(@Selector String cache, @Selector String section,
			@Nullable Integer max) {
		if (!DEAD_LETTERS.equals(section) || find(cache) == null || this.deadLetters == null
				|| !this.deadLetters.isWriteBehind(cache)) {
			return null;
		}
		int limit = (max != null) ? Math.max(1, Math.min(max, MAX_DEAD_LETTERS)) : 100;
		List<DeadLetterDescriptor> letters = this.deadLetters.list(cache, limit)
			.stream()
			.map((letter) -> new DeadLetterDescriptor(letter.id(), letter.attempts(), letter.error()))
			.toList();
		return new DeadLettersDescriptor(cache, this.deadLetters.count(cache), letters);
	}

	/**
	 * Replays a dead letter of a write-behind cache: its value is the key's pending write
	 * again, unless a newer write of the key supersedes it; it leaves the dead letters.
	 * @param cache the cache name
	 * @param section {@value #DEAD_LETTERS}
	 * @param id the dead letter's id
	 * @return the outcome: {@code pending}, {@code superseded} or {@code not-found}
	 */
	@WriteOperation
	public DeadLetterOutcomeDescriptor replay(@Selector String cache, @Selector String section, @Selector String id) {
		WriteBehindDeadLetters letters = writeBehind(cache, section);
		String outcome = switch (letters.replay(cache, id)) {
			case PENDING -> "pending";
			case SUPERSEDED -> "superseded";
			case NOT_FOUND -> "not-found";
		};
		return new DeadLetterOutcomeDescriptor(cache, id, outcome);
	}

	/**
	 * Drops a dead letter of a write-behind cache.
	 * @param cache the cache name
	 * @param section {@value #DEAD_LETTERS}
	 * @param id the dead letter's id
	 * @return the outcome: {@code dropped} or {@code not-found}
	 */
	@DeleteOperation
	public DeadLetterOutcomeDescriptor drop(@Selector String cache, @Selector String section, @Selector String id) {
		WriteBehindDeadLetters letters = writeBehind(cache, section);
		return new DeadLetterOutcomeDescriptor(cache, id, letters.drop(cache, id) ? "dropped" : "not-found");
	}

	/**
	 * Rebuilds a cache's existence filter from its {@code ExistingKeys}, on the calling
	 * thread: keys written meanwhile are kept, and the filter keeps answering until the new
	 * one replaces it.
	 * @param cache the cache name
	 * @param section {@value #EXISTENCE_FILTER}
	 * @return the outcome: {@code rebuilt}, {@code busy} (another instance is rebuilding it),
	 * {@code lost} (the rebuild's lease ran out) or {@code unavailable} (Redis failed), with the
	 * number of keys added
	 */
	@WriteOperation
	public ExistenceFilterRebuildDescriptor rebuild(@Selector String cache, @Selector String section) {
		if (!EXISTENCE_FILTER.equals(section)) {
			throw new InvalidEndpointRequestException("Unknown section '" + section + "' of cache '" + cache
					+ "': only '" + EXISTENCE_FILTER + "'", "Unknown section");
		}
		ExistenceFilters filters = this.existenceFilters;
		if (find(cache) == null || filters == null || filters.filter(cache) == null) {
			throw new InvalidEndpointRequestException("No cache with an existence filter named '" + cache + "'",
					"Unknown filtered cache");
		}
		ExistenceFilter.Rebuild rebuild;
		try {
			rebuild = filters.rebuild(cache);
		}
		catch (RedisUnavailableException ex) {
			return new ExistenceFilterRebuildDescriptor(cache, "unavailable", 0);
		}
		return new ExistenceFilterRebuildDescriptor(cache, rebuild.outcome().name().toLowerCase(Locale.ROOT),
				rebuild.keys());
	}

	private WriteBehindDeadLetters writeBehind(String cache, String section) {
		if (!DEAD_LETTERS.equals(section)) {
			throw new InvalidEndpointRequestException("Unknown section '" + section + "' of cache '" + cache
					+ "': only '" + DEAD_LETTERS + "'", "Unknown section");
		}
		WriteBehindDeadLetters letters = this.deadLetters;
		if (find(cache) == null || letters == null || !letters.isWriteBehind(cache)) {
			throw new InvalidEndpointRequestException("No write-behind cache named '" + cache + "'",
					"Unknown write-behind cache");
		}
		return letters;
	}

	private @Nullable TieredCache find(String name) {
		// getCache would create a dynamic cache: look among existing ones only.
		for (TieredCache cache : this.manager.getCaches()) {
			if (cache.getName().equals(name)) {
				return cache;
			}
		}
		return null;
	}

	private CacheDescriptor describe(TieredCache cache) {
		CacheStatistics statistics = cache.getStatistics();
		return new CacheDescriptor(SettingsDescriptor.of(cache.getSettings()), cache.getLocalSize(),
				new HitRatioDescriptor(ratio(statistics, Tier.L1), ratio(statistics, Tier.L2)), hotKeys(cache),
				existenceFilter(cache));
	}

	private static @Nullable ExistenceFilterDescriptor existenceFilter(TieredCache cache) {
		ExistenceFilter filter = cache.getExistenceFilter();
		if (filter == null) {
			return null;
		}
		BloomSizing sizing = filter.sizing();
		return new ExistenceFilterDescriptor(sizing.expectedKeys(), sizing.falsePositiveRate(), sizing.bits(),
				sizing.hashes(), sizing.bytes(), filter.rejected(), filter.passed(), filter.skipped(),
				filter.pendingAdds());
	}

	private @Nullable HotKeysDescriptor hotKeys(TieredCache cache) {
		HotKeys hotKeys = cache.getHotKeys();
		if (hotKeys == null) {
			return null;
		}
		HotKeys.Snapshot snapshot = hotKeys.snapshot();
		List<HotKeyDescriptor> keys = new ArrayList<>(snapshot.keys().size());
		for (HotKeys.HotKey key : snapshot.keys()) {
			keys.add(new HotKeyDescriptor(HotKeyHash.of(key.key()), this.exposeKeys ? key.key() : null,
					key.estimate(), key.lowerBound()));
		}
		return new HotKeysDescriptor(snapshot.reads(), snapshot.share(), keys);
	}

	private static @Nullable Double ratio(CacheStatistics statistics, Tier tier) {
		double ratio = statistics.hitRatio(tier);
		return Double.isNaN(ratio) ? null : ratio;
	}

	/**
	 * Every cache, and the state of Redis.
	 * @param mode {@code redis} (two tiers), or {@code local} in the L1-only mode
	 * ({@code tiered-cache.redis.enabled=false})
	 * @param redisCircuitOpen whether the circuit breaker currently skips Redis; null in the
	 * L1-only mode
	 * @param caches the caches, by name
	 */
	public record CachesDescriptor(String mode, @Nullable Boolean redisCircuitOpen,
			Map<String, CacheDescriptor> caches) implements OperationResponseBody {
	}

	/**
	 * One cache.
	 * @param settings its effective settings
	 * @param localSize estimated number of entries in L1
	 * @param hitRatio hits over lookups per tier since start-up
	 * @param hotKeys the most read keys, null when hot-key tracking is off for the cache
	 * @param existenceFilter the cache's existence filter, null when it has none
	 */
	public record CacheDescriptor(SettingsDescriptor settings, long localSize, HitRatioDescriptor hitRatio,
			@Nullable HotKeysDescriptor hotKeys,
			@Nullable ExistenceFilterDescriptor existenceFilter) implements OperationResponseBody {
	}

	/**
	 * The existence filter of a cache: its size and what it did on this instance.
	 * @param expectedKeys how many keys it is sized for
	 * @param falsePositiveRate the share of absent keys let through at that many keys
	 * @param bits its size in bits
	 * @param hashes the bits set per key
	 * @param bytes the memory it takes in Redis
	 * @param rejected misses answered as absent without a load
	 * @param passed misses let through after a check
	 * @param skipped misses let through unchecked (no filter, Redis unreachable, adds pending)
	 * @param pendingAdds adds of written keys waiting for Redis
	 */
	public record ExistenceFilterDescriptor(long expectedKeys, double falsePositiveRate, long bits, int hashes,
			long bytes, long rejected, long passed, long skipped, int pendingAdds) {
	}

	/**
	 * The most read keys of a cache over the last one to two minutes.
	 * @param reads the reads counted
	 * @param share the share of those reads that went to the keys listed, between 0 and 1
	 * @param keys the keys, most read first
	 */
	public record HotKeysDescriptor(long reads, double share, List<HotKeyDescriptor> keys) {
	}

	/**
	 * One of the most read keys.
	 * @param hash the first 16 hex digits of the SHA-256 of the encoded key (UTF-8)
	 * @param key the encoded key, only when {@code tiered-cache.hot-keys.expose-keys} is set
	 * @param reads its estimated reads
	 * @param minReads the fewest reads it certainly had
	 */
	public record HotKeyDescriptor(String hash, @Nullable String key, long reads, long minReads) {
	}

	/**
	 * Hit ratio of each tier, null before the first lookup.
	 * @param l1 the in-process tier's
	 * @param l2 the Redis tier's
	 */
	public record HitRatioDescriptor(@Nullable Double l1, @Nullable Double l2) {
	}

	/**
	 * Effective settings of a cache, durations in ISO-8601.
	 * @param ttl time to live in Redis
	 * @param jitter random stretch of every TTL
	 * @param nullTtl how long a null is cached
	 * @param staleWhileRevalidate how long an expired entry is served while refreshed
	 * @param maxValueSize largest value stored in Redis, in bytes
	 * @param localEnabled whether L1 is used
	 * @param localTtl time to live in L1
	 * @param localMaximumSize maximum number of entries in L1
	 * @param stampedeEnabled whether misses are coordinated across instances
	 * @param lease lease of the loader's lock
	 * @param waitTimeout longest wait for another instance's load
	 * @param earlyRefreshBeta XFetch beta, zero when early refresh is off
	 * @param compressionThreshold smallest value compressed in Redis, in bytes; null when
	 * compression is off
	 * @param staleIfError how long past its TTL an entry is served when its loader fails
	 */
	public record SettingsDescriptor(String ttl, double jitter, String nullTtl, String staleWhileRevalidate,
			long maxValueSize, boolean localEnabled, String localTtl, long localMaximumSize, boolean stampedeEnabled,
			String lease, String waitTimeout, double earlyRefreshBeta, @Nullable Long compressionThreshold,
			String staleIfError) {

		static SettingsDescriptor of(CacheSettings settings) {
			return new SettingsDescriptor(settings.ttl().toString(), settings.jitter(), settings.nullTtl().toString(),
					settings.staleWhileRevalidate().toString(), settings.maxValueSize(), settings.localEnabled(),
					settings.localTtl().toString(), settings.localMaximumSize(), settings.stampedeEnabled(),
					settings.lease().toString(), settings.waitTimeout().toString(), settings.earlyRefreshBeta(),
					(settings.compressionThreshold() != CacheSettings.NO_COMPRESSION)
							? settings.compressionThreshold() : null,
					settings.staleIfError().toString());
		}

	}

	/**
	 * The outcome of a tag invalidation or group bump.
	 * @param tagInvalidated whether a tag was invalidated
	 * @param groupVersion the group's new version, if a group was bumped
	 */
	public record InvalidationDescriptor(boolean tagInvalidated,
			@Nullable Long groupVersion) implements OperationResponseBody {
	}

	/**
	 * The dead letters of a write-behind cache.
	 * @param cache the cache
	 * @param count how many there are
	 * @param deadLetters the first of them, oldest first
	 */
	public record DeadLettersDescriptor(String cache, long count,
			List<DeadLetterDescriptor> deadLetters) implements OperationResponseBody {
	}

	/**
	 * A dead letter, without its key or value.
	 * @param id its id, for replay and drop
	 * @param attempts how many flushes failed
	 * @param error the type of the last failure
	 */
	public record DeadLetterDescriptor(String id, int attempts, String error) {
	}

	/**
	 * What a replay or a drop of a dead letter did.
	 * @param cache the cache
	 * @param id the dead letter's id
	 * @param outcome {@code pending}, {@code superseded}, {@code dropped} or {@code not-found}
	 */
	public record DeadLetterOutcomeDescriptor(String cache, String id, String outcome) implements OperationResponseBody {
	}

	/**
	 * What a rebuild of an existence filter did.
	 * @param cache the cache
	 * @param outcome {@code rebuilt}, {@code busy}, {@code lost} or {@code unavailable}
	 * @param keys how many keys of the source were added
	 */
	public record ExistenceFilterRebuildDescriptor(String cache, String outcome,
			long keys) implements OperationResponseBody {
	}

	/**
	 * The outcome of an eviction.
	 * @param cache the cache
	 * @param scope {@code key} for one key, {@code clear} for the whole cache
	 */
	public record EvictionDescriptor(String cache, String scope) implements OperationResponseBody {
	}

}
