package dev.tieredcache.actuate;

import java.util.ArrayList;
import java.util.List;
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
import dev.tieredcache.redis.CircuitBreaker;

/**
 * The {@code tieredcache} actuator endpoint. Over HTTP, under the actuator base path:
 *
 * <ul>
 * <li>{@code GET /tieredcache}: every cache with its effective settings, L1 size and hit
 * ratio per tier, and whether the Redis circuit is open.</li>
 * <li>{@code GET /tieredcache/{cache}}: one cache; 404 if it does not exist.</li>
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
 * </ul>
 *
 * Nothing it reads shows a cached value, nor a key unless told to. It never creates a cache: naming one that
 * does not exist is a bad request. It is exposed like any other endpoint, only where the
 * application exposes it ({@code management.endpoints.web.exposure.include}).
 */
@Endpoint(id = "tieredcache")
public class TieredCacheEndpoint {

	private final TieredCacheManager manager;

	private final TieredCacheOperations operations;

	private final @Nullable CircuitBreaker circuit;

	private final boolean exposeKeys;

	/**
	 * Creates the endpoint, showing hashes of hot keys only.
	 * @param manager the caches
	 * @param operations performs the invalidations
	 * @param circuit the circuit breaker guarding Redis, if known
	 */
	public TieredCacheEndpoint(TieredCacheManager manager, TieredCacheOperations operations,
			@Nullable CircuitBreaker circuit) {
		this(manager, operations, circuit, false);
	}

	/**
	 * Creates the endpoint.
	 * @param manager the caches
	 * @param operations performs the invalidations
	 * @param circuit the circuit breaker guarding Redis, if known
	 * @param exposeKeys whether hot keys are shown themselves, not only as hashes
	 */
	public TieredCacheEndpoint(TieredCacheManager manager, TieredCacheOperations operations,
			@Nullable CircuitBreaker circuit, boolean exposeKeys) {
		this.manager = manager;
		this.operations = operations;
		this.circuit = circuit;
		this.exposeKeys = exposeKeys;
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
				new HitRatioDescriptor(ratio(statistics, Tier.L1), ratio(statistics, Tier.L2)), hotKeys(cache));
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
	 */
	public record CacheDescriptor(SettingsDescriptor settings, long localSize, HitRatioDescriptor hitRatio,
			@Nullable HotKeysDescriptor hotKeys) implements OperationResponseBody {
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
	 * The outcome of an eviction.
	 * @param cache the cache
	 * @param scope {@code key} for one key, {@code clear} for the whole cache
	 */
	public record EvictionDescriptor(String cache, String scope) implements OperationResponseBody {
	}

}
