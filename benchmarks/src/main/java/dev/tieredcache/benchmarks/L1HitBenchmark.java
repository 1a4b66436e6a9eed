package dev.tieredcache.benchmarks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import org.springframework.context.ConfigurableApplicationContext;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;

/**
 * An L1 hit: the starter's {@code @ReadThrough} against Spring's {@code @Cacheable} on a
 * {@code CaffeineCacheManager} (the reference) and a direct Caffeine {@code getIfPresent}
 * (the floor). Every key is in the cache; keys cycle through {@value #KEYS} ids, boxed by
 * every contender alike. {@code TieredCacheGet} reads the same entries through the starter's
 * {@code Cache.get(key, type)}, without the annotation, to tell the advice's cost from the
 * tier's; {@code TieredCacheGetNoHotKeys} the same with hot-key tracking off, to tell its
 * cost; {@code TieredCacheGetWarmStart} the same with warm start on, whose sketch ranks 500
 * keys rather than 10 (a larger map: nothing else changes on the read path). The peers of issue 15 read through their own APIs: JetCache's multi-level
 * {@code computeIfAbsent} and Redisson's {@code RLocalCachedMap.get} (see {@link Contender}).
 * Run with {@code -t 2} as well, for the scaling from one thread to two.
 *
 * <p>Goals (issue 6, items 1 and 6): the annotation path costs no more than Spring's
 * {@code @Cacheable} path, in time and in bytes allocated per hit, and stays within 3× of
 * the floor. Run it alone, with allocation figures, from the repository's root:
 *
 * <pre>
 * mvn -q -B package -pl benchmarks -am -DskipTests
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/classpath.txt) \
 *     org.openjdk.jmh.Main L1HitBenchmark -prof gc
 * </pre>
 *
 * or run every benchmark and write the report with {@code benchmarks/run.sh}. The starter
 * needs Redis on 127.0.0.1:6379 ({@code -Dbench.redis.port} to change), even for L1 hits.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class L1HitBenchmark {

	static final int KEYS = 1024;

	@Param({ "ReadThrough", "TieredCacheGet", "TieredCacheGetNoHotKeys", "TieredCacheGetWarmStart", "JetCache", "Redisson", "Cacheable", "Caffeine" })
	public String cache;

	private LongFunction<Product> lookup;

	private ConfigurableApplicationContext context;

	private CacheInstance peer;

	private String prefix;

	@Setup(Level.Trial)
	public void setUp() {
		ProductSource source = new ProductSource();
		switch (this.cache) {
			case "ReadThrough" -> {
				this.prefix = RedisAccess.uniquePrefix("l1");
				this.context = Instances.starter(Instances.port(), this.prefix, source);
				this.lookup = this.context.getBean(StarterProducts.class)::find;
			}
			case "TieredCacheGet", "TieredCacheGetNoHotKeys", "TieredCacheGetWarmStart" -> {
				this.prefix = RedisAccess.uniquePrefix("l1");
				this.context = switch (this.cache) {
					case "TieredCacheGetNoHotKeys" -> Instances.starter(Instances.port(), this.prefix, source,
							"tiered-cache.caches.products.hot-keys.enabled=false");
					case "TieredCacheGetWarmStart" -> Instances.starter(Instances.port(), this.prefix, source,
							"tiered-cache.caches.products.warm-start.enabled=true");
					default -> Instances.starter(Instances.port(), this.prefix, source);
				};
				StarterProducts products = this.context.getBean(StarterProducts.class);
				this.lookup = products::find;
				warm();
				TieredCache tiered = this.context.getBean(TieredCacheManager.class).getCache("products");
				this.lookup = (id) -> tiered.get(id, Product.class);
			}
			case "JetCache", "Redisson" -> {
				this.prefix = RedisAccess.uniquePrefix("l1");
				Contender contender = this.cache.equals("JetCache") ? Contender.JETCACHE : Contender.REDISSON;
				this.peer = contender.start(Instances.port(), this.prefix, source, Contender.Options.DEFAULT);
				this.lookup = this.peer::get;
			}
			case "Cacheable" -> {
				this.context = Instances.springCaffeine(source);
				this.lookup = this.context.getBean(SpringProducts.class)::find;
			}
			case "Caffeine" -> {
				Cache<Long, Product> caffeine = Caffeine.newBuilder()
					.maximumSize(10_000)
					.expireAfterWrite(Duration.ofMinutes(1))
					.build();
				this.lookup = (id) -> caffeine.get(id, source::load);
				warm();
				this.lookup = caffeine::getIfPresent;
			}
			default -> throw new IllegalArgumentException("Unknown cache: " + this.cache);
		}
		warm();
		if (source.loads() != KEYS) {
			throw new IllegalStateException(this.cache + " loaded " + source.loads() + " times for " + KEYS + " keys");
		}
	}

	private void warm() {
		for (int i = 0; i < KEYS; i++) {
			if (this.lookup.apply(i) == null) {
				throw new IllegalStateException(this.cache + " returned null for key " + i);
			}
		}
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		if (this.context != null) {
			this.context.close();
		}
		if (this.peer != null) {
			this.peer.close();
		}
		if (this.prefix != null) {
			try (RedisAccess redis = new RedisAccess(Instances.port())) {
				redis.deletePattern("*" + this.prefix + "*");
			}
		}
	}

	@Benchmark
	public Product hit(KeyCursor cursor) {
		return this.lookup.apply(cursor.next());
	}

	/** The next key of each thread. */
	@State(Scope.Thread)
	public static class KeyCursor {

		private int index;

		long next() {
			return (this.index++) & (KEYS - 1);
		}

	}

}
