package dev.tieredcache.benchmarks;

/**
 * The contenders of the peer scenarios (issue 15), each started the way its library
 * recommends, and the settings the report lists for each. Every contender with a local
 * tier gets the same local size and time to live (those of the starter's defaults unless
 * a scenario says otherwise) and a 10-minute time to live in Redis where it has one, so
 * that they differ by design, not by configuration.
 */
enum Contender {

	/** The starter: {@code @ReadThrough} and {@code @WriteThrough}. */
	STARTER("starter", true,
			"Spring Boot auto-configuration with its defaults: L1 Caffeine (`local.maximum-size` as below, "
					+ "`local.ttl` 1m), L2 `ttl` 10m with 10% jitter, stampede lock on, JSON values, "
					+ "invalidation by pub/sub; `@ReadThrough(cache = \"products\", key = \"#id\")` and "
					+ "`@WriteThrough` on a bean"),

	/** JetCache 2.7.7, a multi-level cache with broadcast sync, see {@link JetCacheInstance}. */
	JETCACHE("JetCache 2.7.7", true,
			"`MultiLevelCacheBuilder` of `CaffeineCacheBuilder` (limit as below, expireAfterWrite 1m, "
					+ "keyConvertor fastjson2) and `RedisLettuceCacheBuilder` (keyConvertor fastjson2, valueEncoder/"
					+ "valueDecoder `java` — JetCache's documented defaults —, expireAfterWrite 10m, broadcastChannel set, "
					+ "Lettuce master/replica connection with REJECT_COMMANDS, async result timeout 1s); "
					+ "`useExpireOfSubCache(true)`, `cacheNullValue(false)`, `cachePenetrateProtect(true)`; "
					+ "`CacheNotifyMonitor` + `LettuceBroadcastManager` for local sync; reads `computeIfAbsent`, "
					+ "writes `put`"),

	/** Redisson 3.52.0's {@code RLocalCachedMap}, see {@link RedissonInstance}. */
	REDISSON("Redisson 3.52.0 RLocalCachedMap", true,
			"`RLocalCachedMap` with `SyncStrategy.INVALIDATE`, `ReconnectionStrategy.CLEAR`, cacheSize as below, "
					+ "`EvictionPolicy.LRU`, timeToLive 1m, default cache provider; read-through by `MapLoader` "
					+ "(per-key `RLock`); writes `fastPut`; client defaults (Kryo5Codec, 16 threads, 32 Netty "
					+ "threads, pool 64/24 idle, timeout 3s); no per-entry TTL in Redis (open-source edition)"),

	/** Redisson 3.52.0's Spring cache manager, see {@link Instances#redissonSpring}. */
	REDISSON_SPRING("Redisson 3.52.0 RedissonSpringCacheManager", false,
			"`RedissonSpringCacheManager` (each cache an `RMapCache`), `CacheConfig(ttl 10m, maxIdle 0)`, "
					+ "client defaults as above; Spring `@Cacheable` (`sync = true` where a scenario needs a "
					+ "protected load: a per-key `RLock`), `@CachePut`; no local tier (Redisson's local-cached "
					+ "Spring manager is a PRO feature)"),

	/** Spring's own cache on Spring Data Redis, the reference. */
	SPRING("Spring RedisCacheManager", false,
			"Spring Data Redis 4 `RedisCacheManager`, non-locking writer with Spring Boot's default "
					+ "asynchronous writes, JSON values (`JacksonJsonRedisSerializer`), ttl 10m; `@Cacheable` "
					+ "(`sync = true` where a scenario needs a protected load), `@CachePut`; no local tier");

	private final String label;

	private final boolean localTier;

	private final String settings;

	Contender(String label, boolean localTier, String settings) {
		this.label = label;
		this.localTier = localTier;
		this.settings = settings;
	}

	String label() {
		return this.label;
	}

	/** Whether the contender has a local tier (an L1 kept in sync across instances). */
	boolean localTier() {
		return this.localTier;
	}

	String settings() {
		return this.settings;
	}

	/**
	 * Starts one instance of the contender.
	 * @param port the Redis port
	 * @param prefix the prefix of every Redis key of the contender (instances of one
	 * contender share it, contenders never do)
	 * @param source the loader
	 * @param options how to start it
	 * @return the instance
	 */
	CacheInstance start(int port, String prefix, ProductSource source, Options options) {
		return switch (this) {
			case STARTER -> new StarterInstance(port, prefix, source,
					"tiered-cache.defaults.local.enabled=" + options.localTier(),
					"tiered-cache.defaults.local.maximum-size=" + options.localSize());
			case JETCACHE -> new JetCacheInstance(port, prefix, source, options.localTier(), options.localSize());
			case REDISSON -> new RedissonInstance(port, prefix, source, options.localTier(), options.localSize());
			case REDISSON_SPRING -> new SpringInstance(Instances.redissonSpring(port, prefix, source),
					options.protectedLoads());
			case SPRING -> new SpringInstance(Instances.springRedis(port, prefix, source), options.protectedLoads());
		};
	}

	/**
	 * How an instance is started.
	 * @param localTier whether the local tier is used (off: bypassed, Redis only)
	 * @param localSize the local tier's maximum number of entries
	 * @param protectedLoads whether Spring's caches use {@code @Cacheable(sync = true)}
	 */
	record Options(boolean localTier, int localSize, boolean protectedLoads) {

		/** The local tier on, 10,000 entries (the starter's default), unprotected Spring loads. */
		static final Options DEFAULT = new Options(true, 10_000, false);

		Options withLocalTier(boolean enabled) {
			return new Options(enabled, this.localSize, this.protectedLoads);
		}

		Options withLocalSize(int size) {
			return new Options(this.localTier, size, this.protectedLoads);
		}

		Options withProtectedLoads(boolean enabled) {
			return new Options(this.localTier, this.localSize, enabled);
		}

	}

}
