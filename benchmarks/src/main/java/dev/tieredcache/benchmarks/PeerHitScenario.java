package dev.tieredcache.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.lettuce.core.api.sync.RedisCommands;

import org.springframework.context.ConfigurableApplicationContext;

import dev.tieredcache.cache.TieredCache;

/**
 * Issue 15, scenarios 1 and 2, interleaved (see {@link Interleaved}): the hit paths of the
 * starter, JetCache and Redisson side by side with Spring's reference and the floor.
 * <ul>
 * <li>L1 hit: {@value #L1_KEYS} keys, every one in the local tier; batches of
 * {@value #L1_BATCH} calls.</li>
 * <li>L2 hit with the local tier off (starter) or bypassed (JetCache's remote cache read
 * alone, Redisson's hash read as a plain {@code RMap}), values of 200 B and 20 KB (JSON
 * size, see {@link ProductSource#product}), {@value #L2_KEYS} keys; one call per sample.
 * The floor is one Lettuce {@code GET} of the bytes the starter stored, not decoded.</li>
 * </ul>
 * Every contender loads each key exactly once before the measurement (checked), so every
 * measured call is a hit.
 */
final class PeerHitScenario {

	static final int L1_KEYS = 1024;

	static final int L1_BATCH = 64;

	static final int L2_KEYS = 256;

	private final int port;

	private final int turns;

	PeerHitScenario(int port, int turns) {
		this.port = port;
		this.turns = turns;
	}

	Map<String, Object> run() {
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("turns", this.turns);
		result.put("l1", l1());
		List<Object> l2 = new ArrayList<>();
		for (int size : new int[] { 200, 20_000 }) {
			Map<String, Object> row = new LinkedHashMap<>();
			row.put("valueBytes", size);
			row.put("contenders", l2(size));
			l2.add(row);
		}
		result.put("l2", l2);
		return result;
	}

	private List<Map<String, Object>> l1() {
		String prefix = RedisAccess.uniquePrefix("peer-l1");
		List<AutoCloseable> open = new ArrayList<>();
		try {
			Interleaved contenders = new Interleaved();
			StarterInstance starter = (StarterInstance) start(Contender.STARTER, prefix, Contender.Options.DEFAULT,
					open);
			TieredCache tiered = starter.tieredCache();
			contenders.add("starter: `@ReadThrough`", "starter", starter::get);
			contenders.add("starter: `TieredCache.get(key, type)`", "starter", (id) -> tiered.get(id, Product.class));
			CacheInstance jetcache = start(Contender.JETCACHE, prefix, Contender.Options.DEFAULT, open);
			contenders.add(Contender.JETCACHE.label() + ": `computeIfAbsent`", "peer", jetcache::get);
			CacheInstance redisson = start(Contender.REDISSON, prefix, Contender.Options.DEFAULT, open);
			contenders.add(Contender.REDISSON.label() + ": `get`", "peer", redisson::get);
			ProductSource springSource = new ProductSource();
			ConfigurableApplicationContext spring = Instances.springCaffeine(springSource);
			open.add(spring::close);
			SpringProducts reference = spring.getBean(SpringProducts.class);
			warm(reference::find, springSource, L1_KEYS, "Spring @Cacheable");
			contenders.add("reference: Spring `@Cacheable`, `CaffeineCacheManager`", "reference", reference::find);
			ProductSource floorSource = new ProductSource();
			Cache<Long, Product> caffeine = Caffeine.newBuilder()
				.maximumSize(10_000)
				.expireAfterWrite(Duration.ofMinutes(1))
				.build();
			warm((id) -> caffeine.get(id, floorSource::load), floorSource, L1_KEYS, "Caffeine");
			contenders.add("floor: Caffeine `getIfPresent`", "floor", caffeine::getIfPresent);
			return contenders.run(this.turns, L1_BATCH, L1_KEYS);
		}
		finally {
			closeAll(open, this.port, prefix);
		}
	}

	private CacheInstance start(Contender contender, String prefix, Contender.Options options,
			List<AutoCloseable> open) {
		ProductSource source = new ProductSource();
		CacheInstance instance = contender.start(this.port, prefix + contender.name() + ":", source, options);
		open.add(instance);
		warm(instance::get, source, L1_KEYS, contender.label());
		return instance;
	}

	private List<Map<String, Object>> l2(int valueBytes) {
		String prefix = RedisAccess.uniquePrefix("peer-l2");
		List<AutoCloseable> open = new ArrayList<>();
		Contender.Options off = Contender.Options.DEFAULT.withLocalTier(false);
		try (RedisAccess redis = new RedisAccess(this.port)) {
			Interleaved contenders = new Interleaved();
			String starterPrefix = prefix + "STARTER:";
			contenders.add("starter: `@ReadThrough`, L1 off", "starter",
					l2Instance(Contender.STARTER, starterPrefix, off, valueBytes, open)::get);
			contenders.add(Contender.JETCACHE.label() + ": remote cache alone", "peer",
					l2Instance(Contender.JETCACHE, prefix + "JETCACHE:", off, valueBytes, open)::get);
			contenders.add(Contender.REDISSON.label() + ": the map's hash as `RMap`", "peer",
					l2Instance(Contender.REDISSON, prefix + "REDISSON:", off, valueBytes, open)::get);
			contenders.add(Contender.REDISSON_SPRING.label() + ": `@Cacheable`", "peer",
					l2Instance(Contender.REDISSON_SPRING, prefix + "REDISSON_SPRING:", off, valueBytes, open)::get);
			contenders.add("reference: Spring `@Cacheable`, `RedisCacheManager`", "reference",
					l2Instance(Contender.SPRING, prefix + "SPRING:", off, valueBytes, open)::get);
			byte[][] raw = redis.valueKeys(starterPrefix, valueBytes / 2, L2_KEYS).toArray(new byte[0][]);
			if (raw.length != L2_KEYS) {
				throw new IllegalStateException("Found " + raw.length + " starter values, expected " + L2_KEYS);
			}
			RedisCommands<byte[], byte[]> commands = redis.commands();
			contenders.add("floor: Lettuce `GET` of the starter's bytes", "floor", (id) -> commands.get(raw[(int) id]));
			return contenders.run(this.turns, 1, L2_KEYS);
		}
		finally {
			closeAll(open, this.port, prefix);
		}
	}

	private CacheInstance l2Instance(Contender contender, String prefix, Contender.Options options, int valueBytes,
			List<AutoCloseable> open) {
		ProductSource source = new ProductSource(0, valueBytes);
		CacheInstance instance = contender.start(this.port, prefix, source, options);
		open.add(instance);
		warm(instance::get, source, L2_KEYS, contender.label());
		// Spring's and JetCache's writes may land after the call: read until every key is
		// served without a load, so that the measurement sees hits only.
		warm(instance::get, source, L2_KEYS, contender.label());
		return instance;
	}

	/**
	 * Reads every key until a whole pass loads nothing (writes that land after the call,
	 * as Spring's and JetCache's may, can make a second pass load again), so that every
	 * later read is a hit.
	 */
	static void warm(java.util.function.LongFunction<?> read, ProductSource source, int keys, String name) {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		long before;
		do {
			before = source.loads();
			for (long id = 0; id < keys; id++) {
				read.apply(id);
			}
		}
		while ((source.loads() != before || before == 0) && System.nanoTime() < deadline);
		if (source.loads() != before) {
			throw new IllegalStateException(name + " still loaded after 10 s of reads over " + keys + " keys");
		}
	}

	/** Closes the instances, then deletes every key whose name holds the prefix. */
	static void closeAll(List<AutoCloseable> open, int port, String prefix) {
		for (AutoCloseable closeable : open) {
			try {
				closeable.close();
			}
			catch (Exception ex) {
				System.out.println("  closing failed: " + ex);
			}
		}
		try (RedisAccess redis = new RedisAccess(port)) {
			redis.deletePattern("*" + prefix + "*");
		}
	}

}
