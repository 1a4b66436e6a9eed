package dev.tieredcache.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.lettuce.core.api.sync.RedisCommands;

/**
 * Issue 15, scenario 8, interleaved (see {@link Interleaved}): a batch read of 100 keys that
 * Redis holds, the local tiers off, each contender through its own batch read: the
 * starter's {@code @ReadThroughAll} (one {@code MGET}), JetCache's {@code getAll} on its
 * remote cache ({@code MGET}), Redisson's {@code RMap.getAll} ({@code HMGET} of its hash),
 * and Spring's {@code @Cacheable}, which has no batch read (100 calls). The floor is one
 * Lettuce {@code MGET} of 100 keys holding values of the same size, not decoded. The
 * 1,000 products are read once through each contender before the timing, so every timed
 * batch is answered by Redis.
 */
final class PeerBatchScenario {

	static final int BATCH = 100;

	private static final int PRODUCTS = 1_000;

	private final int port;

	private final int turns;

	PeerBatchScenario(int port, int turns) {
		this.port = port;
		this.turns = turns;
	}

	Map<String, Object> run() {
		String prefix = RedisAccess.uniquePrefix("peer-batch");
		List<AutoCloseable> open = new ArrayList<>();
		try (RedisAccess redis = new RedisAccess(this.port)) {
			Interleaved contenders = new Interleaved();
			add(contenders, Contender.STARTER, "starter: `@ReadThroughAll`", "starter", prefix, open);
			add(contenders, Contender.JETCACHE, Contender.JETCACHE.label() + ": `getAll`", "peer", prefix, open);
			add(contenders, Contender.REDISSON, "Redisson 3.52.0 RMap: `getAll`", "peer", prefix, open);
			add(contenders, Contender.SPRING, "reference: Spring `@Cacheable`, 100 calls", "reference", prefix, open);
			RedisCommands<byte[], byte[]> commands = redis.commands();
			byte[][][] floorKeys = new byte[PRODUCTS / BATCH][BATCH][];
			byte[] value = new byte[200];
			for (int b = 0; b < floorKeys.length; b++) {
				for (int i = 0; i < BATCH; i++) {
					floorKeys[b][i] = RedisAccess.bytes(prefix + "floor:" + (b * BATCH + i));
					commands.set(floorKeys[b][i], value);
				}
			}
			contenders.add("floor: Lettuce `MGET` of 100 keys", "floor", (batch) -> {
				List<?> values = commands.mget(floorKeys[(int) batch]);
				return (values.size() == BATCH) ? values : null;
			});
			// Every product through every contender once, then a few turns for the JIT.
			contenders.run(PRODUCTS / BATCH, 1, PRODUCTS / BATCH);
			contenders.run(Math.min(20, this.turns), 1, PRODUCTS / BATCH);
			Map<String, Object> result = new LinkedHashMap<>();
			result.put("turns", this.turns);
			result.put("batch", BATCH);
			result.put("contenders", contenders.run(this.turns, 1, PRODUCTS / BATCH));
			return result;
		}
		finally {
			PeerHitScenario.closeAll(open, this.port, prefix);
		}
	}

	private void add(Interleaved contenders, Contender contender, String name, String role, String prefix,
			List<AutoCloseable> open) {
		CacheInstance instance = contender.start(this.port, prefix + contender.name() + ":", new ProductSource(),
				Contender.Options.DEFAULT.withLocalTier(false));
		open.add(instance);
		contenders.add(name, role, (batch) -> {
			List<Long> ids = new ArrayList<>(BATCH);
			for (int i = 0; i < BATCH; i++) {
				ids.add(batch * BATCH + i);
			}
			Map<Long, Product> products = instance.getAll(ids);
			if (products.size() != BATCH) {
				throw new IllegalStateException(name + " returned " + products.size() + " of " + BATCH + " products");
			}
			return products;
		});
	}

}
