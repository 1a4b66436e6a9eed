package dev.tieredcache.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.lettuce.core.api.sync.RedisCommands;

/**
 * Issue 15, scenario 3, interleaved (see {@link Interleaved}): a miss and load, each call on
 * a key no tier holds, the loader instant; one instance of each contender with its local
 * tier on, Spring's caches without {@code sync}. The floor is what any cache-aside read
 * must do at least: one {@code GET} that misses and one {@code SET}. Writes that return
 * before Redis has them (Spring Boot's default for {@code RedisCache}, JetCache's remote
 * put) are cheaper here than writes that wait.
 */
final class PeerMissScenario {

	private final int port;

	private final int turns;

	PeerMissScenario(int port, int turns) {
		this.port = port;
		this.turns = turns;
	}

	Map<String, Object> run() {
		String prefix = RedisAccess.uniquePrefix("peer-miss");
		List<AutoCloseable> open = new ArrayList<>();
		AtomicLong fresh = new AtomicLong(1_000_000);
		try (RedisAccess redis = new RedisAccess(this.port)) {
			Interleaved contenders = new Interleaved();
			add(contenders, Contender.STARTER, "starter: `@ReadThrough`", "starter", prefix, fresh, open);
			add(contenders, Contender.JETCACHE, Contender.JETCACHE.label() + ": `computeIfAbsent`", "peer", prefix,
					fresh, open);
			add(contenders, Contender.REDISSON, Contender.REDISSON.label() + ": `get` with a `MapLoader`", "peer",
					prefix, fresh, open);
			add(contenders, Contender.REDISSON_SPRING, Contender.REDISSON_SPRING.label() + ": `@Cacheable`", "peer",
					prefix, fresh, open);
			add(contenders, Contender.SPRING, "reference: Spring `@Cacheable`, `RedisCacheManager`", "reference",
					prefix, fresh, open);
			RedisCommands<byte[], byte[]> commands = redis.commands();
			byte[] value = new byte[64];
			contenders.add("floor: Lettuce `GET` (miss) + `SET`", "floor", (id) -> {
				byte[] key = RedisAccess.bytes(prefix + "floor:" + fresh.incrementAndGet());
				commands.get(key);
				return commands.set(key, value);
			});
			// A few turns first: the first miss of each contender loads its scripts and classes.
			contenders.run(Math.min(20, this.turns), 1, 1);
			Map<String, Object> result = new LinkedHashMap<>();
			result.put("turns", this.turns);
			result.put("contenders", contenders.run(this.turns, 1, 1));
			return result;
		}
		finally {
			PeerHitScenario.closeAll(open, this.port, prefix);
		}
	}

	private void add(Interleaved contenders, Contender contender, String name, String role, String prefix,
			AtomicLong fresh, List<AutoCloseable> open) {
		CacheInstance instance = contender.start(this.port, prefix + contender.name() + ":", new ProductSource(),
				Contender.Options.DEFAULT);
		open.add(instance);
		contenders.add(name, role, (id) -> instance.get(fresh.incrementAndGet()));
	}

}
