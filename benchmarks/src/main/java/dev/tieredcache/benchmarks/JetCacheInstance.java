package dev.tieredcache.benchmarks;

import java.util.List;
import java.util.concurrent.TimeUnit;

import com.alicp.jetcache.Cache;
import com.alicp.jetcache.CacheGetResult;
import com.alicp.jetcache.CacheValueHolder;
import com.alicp.jetcache.MultiLevelCacheBuilder;
import com.alicp.jetcache.SimpleCacheManager;
import com.alicp.jetcache.anno.CacheConsts;
import com.alicp.jetcache.embedded.CaffeineCacheBuilder;
import com.alicp.jetcache.redis.lettuce.JetCacheCodec;
import com.alicp.jetcache.redis.lettuce.LettuceConnectionManager;
import com.alicp.jetcache.redis.lettuce.RedisLettuceCacheBuilder;
import com.alicp.jetcache.support.BroadcastManager;
import com.alicp.jetcache.support.CacheNotifyMonitor;
import com.alicp.jetcache.support.Fastjson2KeyConvertor;
import com.alicp.jetcache.support.JavaValueDecoder;
import com.alicp.jetcache.support.JavaValueEncoder;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

/**
 * JetCache 2.7.7 as a {@link CacheInstance}, built with its programmatic builders the way
 * its Spring Boot auto-configuration builds a {@code cacheType = BOTH} cache from the
 * recommended configuration of its documentation ({@code docs/EN/Config.md}): a
 * {@code MultiLevelCache} of a Caffeine local cache and a Lettuce remote cache, the local
 * caches of all instances kept in sync through the remote's broadcast channel (a
 * {@link CacheNotifyMonitor} publishes each put; every other instance's
 * {@code LettuceBroadcastManager} drops the key from its local cache), reads through
 * {@code computeIfAbsent} with penetration protection (one load per key per JVM).
 *
 * <p>Settings (also written into the report by {@link Contender#settings()}): key convertor
 * fastjson2 (local and remote), value encoder and decoder {@code java}, local limit and
 * expiry as given (the other contenders get the same), remote expiry 10 minutes, null
 * values not cached, connection as JetCache's {@code RedisLettuceAutoConfiguration} makes
 * it (a master/replica connection with {@code REJECT_COMMANDS} when disconnected, a
 * separate pub/sub connection), asynchronous result timeout 1 s (its default). With the
 * local tier off, the remote cache is read alone (bypassing the local one).
 */
final class JetCacheInstance implements CacheInstance {

	private static final String AREA = CacheConsts.DEFAULT_AREA;

	private static final String NAME = "products";

	private final RedisClient client;

	private final StatefulConnection<byte[], byte[]> connection;

	private final SimpleCacheManager manager = new SimpleCacheManager();

	private final Cache<Long, Product> cache;

	private final Cache<Long, Product> local;

	private final BroadcastManager broadcast;

	private final ProductSource source;

	@SuppressWarnings({ "unchecked", "rawtypes" })
	JetCacheInstance(int port, String prefix, ProductSource source, boolean localTier, int localSize) {
		this.source = source;
		RedisURI uri = RedisURI.create(Instances.HOST, port);
		this.client = RedisClient.create();
		this.client.setOptions(
				ClientOptions.builder().disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
		this.connection = MasterReplica.connect(this.client, new JetCacheCodec(), List.of(uri));
		StatefulRedisPubSubConnection<byte[], byte[]> pubSub = this.client.connectPubSub(new JetCacheCodec(), uri);
		LettuceConnectionManager.defaultManager().init(this.client, this.connection);
		RedisLettuceCacheBuilder remoteBuilder = RedisLettuceCacheBuilder.createRedisLettuceCacheBuilder()
			.redisClient(this.client)
			.connection(this.connection)
			.pubSubConnection(pubSub)
			.keyConvertor(Fastjson2KeyConvertor.INSTANCE)
			.valueEncoder(JavaValueEncoder.INSTANCE)
			.valueDecoder(JavaValueDecoder.INSTANCE)
			.broadcastChannel(prefix + "broadcast")
			.keyPrefix(prefix + NAME + ":")
			.expireAfterWrite(10, TimeUnit.MINUTES)
			.cacheNullValue(false);
		Cache<Long, Product> remote = remoteBuilder.buildCache();
		if (localTier) {
			this.local = CaffeineCacheBuilder.createCaffeineCacheBuilder()
				.limit(localSize)
				.expireAfterWrite(1, TimeUnit.MINUTES)
				.keyConvertor(Fastjson2KeyConvertor.INSTANCE)
				.buildCache();
			this.cache = MultiLevelCacheBuilder.createMultiLevelCacheBuilder()
				.addCache(this.local, remote)
				.expireAfterWrite(10, TimeUnit.MINUTES)
				.useExpireOfSubCache(true)
				.cacheNullValue(false)
				.cachePenetrateProtect(true)
				.buildCache();
			this.broadcast = remoteBuilder.createBroadcastManager(this.manager);
			this.broadcast.startSubscribe();
			this.manager.putBroadcastManager(AREA, this.broadcast);
			this.manager.putCache(AREA, NAME, this.cache);
			this.cache.config().getMonitors().add(new CacheNotifyMonitor(this.manager, AREA, NAME));
		}
		else {
			this.local = null;
			this.broadcast = null;
			pubSub.close();
			remote.config().setCachePenetrationProtect(true);
			this.cache = remote;
		}
	}

	@Override
	public Product get(long id) {
		return this.cache.computeIfAbsent(id, this.source::load);
	}

	/**
	 * JetCache's batch read: {@code getAll} (one {@code MGET} on the remote cache); it loads
	 * nothing, so what it misses is read through {@code computeIfAbsent} one by one.
	 */
	@Override
	public java.util.Map<Long, Product> getAll(List<Long> ids) {
		java.util.Map<Long, Product> found = new java.util.HashMap<>(this.cache.getAll(new java.util.HashSet<>(ids)));
		for (Long id : ids) {
			if (found.get(id) == null) {
				found.put(id, get(id));
			}
		}
		return found;
	}

	@Override
	public void put(Product product) {
		this.cache.put(product.id(), product);
	}

	@Override
	public Product peekLocal(long id) {
		if (this.local == null) {
			throw new UnsupportedOperationException("Local tier off");
		}
		CacheGetResult<Product> result = this.local.GET(id);
		Object value = result.isSuccess() ? result.getValue() : null;
		while (value instanceof CacheValueHolder<?> holder) {
			value = holder.getValue();
		}
		return (Product) value;
	}

	/**
	 * JetCache's remote put is asynchronous: a synchronous command on the same connection
	 * returns once every command queued before it has been answered.
	 */
	@Override
	@SuppressWarnings("unchecked")
	public void awaitWrites() {
		((RedisCommands<byte[], byte[]>) LettuceConnectionManager.defaultManager().commands(this.client)).ping();
	}

	@Override
	public void close() {
		try {
			// Let queued writes finish rather than fail on a closed connection.
			awaitWrites();
		}
		catch (RuntimeException ex) {
			// Closing anyway.
		}
		this.cache.close();
		if (this.broadcast != null) {
			try {
				this.broadcast.close();
			}
			catch (Exception ex) {
				// Closing only.
			}
		}
		LettuceConnectionManager.defaultManager().removeAndClose(this.client);
		this.client.shutdown();
	}

}
