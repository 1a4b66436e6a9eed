package dev.tieredcache.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.redisson.Redisson;
import org.redisson.api.RLocalCachedMap;
import org.redisson.api.RMap;
import org.redisson.api.RedissonClient;
import org.redisson.api.map.MapLoader;
import org.redisson.api.options.LocalCachedMapOptions;
import org.redisson.api.options.MapOptions;
import org.redisson.config.Config;

/**
 * Redisson 3.52.0's {@code RLocalCachedMap} as a {@link CacheInstance}: one Redis hash
 * holds every entry; each instance keeps a local cache of it, and a write publishes an
 * invalidation to the map's topic that every other instance applies
 * ({@code SyncStrategy.INVALIDATE}); an instance that loses its connection clears its local
 * cache ({@code ReconnectionStrategy.CLEAR}). Reads through a {@link MapLoader} (Redisson's
 * read-through: on a miss it takes the key's {@code RLock} in Redis, checks again, loads
 * and stores). Writes with {@code fastPut} (no old value returned).
 *
 * <p>Settings (also written into the report by {@link Contender#settings()}): Redisson's
 * defaults ({@code Kryo5Codec}, 16 threads, 32 Netty threads, single server with a pool of
 * 64 connections, 24 idle at least, 3 s timeout) and, for the local cache, the given size
 * with LRU eviction and a 1-minute time to live (as the other contenders), the default
 * Redisson cache provider. With the local tier off, the same hash is read as a plain
 * {@code RMap} (bypassing any local cache). Open-source Redisson has no per-entry time to
 * live on this map (that is {@code RLocalCachedMapCache}, a PRO feature): entries stay in
 * Redis until removed.
 */
final class RedissonInstance implements CacheInstance {

	private final RedissonClient client;

	private final RMap<Long, Product> map;

	private final RLocalCachedMap<Long, Product> localMap;

	RedissonInstance(int port, String prefix, ProductSource source, boolean localTier, int localSize) {
		this.client = client(port);
		MapLoader<Long, Product> loader = new MapLoader<>() {

			@Override
			public Product load(Long id) {
				return source.load(id);
			}

			@Override
			public Iterable<Long> loadAllKeys() {
				return List.of();
			}

		};
		String name = prefix + "products";
		if (localTier) {
			this.localMap = this.client.getLocalCachedMap(LocalCachedMapOptions.<Long, Product>name(name)
				.cacheSize(localSize)
				.evictionPolicy(LocalCachedMapOptions.EvictionPolicy.LRU)
				.timeToLive(Duration.ofMinutes(1))
				.syncStrategy(LocalCachedMapOptions.SyncStrategy.INVALIDATE)
				.reconnectionStrategy(LocalCachedMapOptions.ReconnectionStrategy.CLEAR)
				.loader(loader));
			this.map = this.localMap;
		}
		else {
			this.localMap = null;
			this.map = this.client.getMap(MapOptions.<Long, Product>name(name).loader(loader));
		}
	}

	/** A client with Redisson's defaults, on the benchmark's Redis. */
	static RedissonClient client(int port) {
		Config config = new Config();
		config.useSingleServer().setAddress("redis://" + Instances.HOST + ":" + port);
		return Redisson.create(config);
	}

	/** Shuts a client down without Redisson's default 2 s quiet period. */
	static void shutdown(RedissonClient client) {
		client.shutdown(0, 5, TimeUnit.SECONDS);
	}

	@Override
	public Product get(long id) {
		return this.map.get(id);
	}

	/** Redisson's batch read: {@code RMap.getAll} (its {@code MapLoader} loads what is missing). */
	@Override
	public Map<Long, Product> getAll(List<Long> ids) {
		return this.map.getAll(new java.util.HashSet<>(ids));
	}

	@Override
	public void put(Product product) {
		this.map.fastPut(product.id(), product);
	}

	@Override
	public Product peekLocal(long id) {
		if (this.localMap == null) {
			throw new UnsupportedOperationException("Local tier off");
		}
		Map<Long, Product> cached = this.localMap.getCachedMap();
		return cached.get(id);
	}

	@Override
	public void close() {
		shutdown(this.client);
	}

}
