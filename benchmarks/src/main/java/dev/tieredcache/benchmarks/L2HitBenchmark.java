package dev.tieredcache.benchmarks;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

import io.lettuce.core.api.sync.RedisCommands;
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

/**
 * An L2 hit, L1 disabled: the starter's {@code @ReadThrough} (plain, with two tags, in a
 * versioned group) against Spring's {@code @Cacheable} on a {@code RedisCacheManager} (the
 * reference) and a raw Lettuce {@code GET} of the very bytes the starter stored (the floor:
 * one round trip, no decoding). Every key is in Redis; keys cycle through {@value #KEYS} ids.
 *
 * <p>Goal (issue 6, item 2): every starter variant within 1.15× of the floor. Run it alone
 * from the repository's root with
 *
 * <pre>
 * mvn -q -B package -pl benchmarks -am -DskipTests
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/classpath.txt) \
 *     org.openjdk.jmh.Main L2HitBenchmark
 * </pre>
 *
 * or run every benchmark and write the report with {@code benchmarks/run.sh}. Needs Redis
 * on 127.0.0.1:6379 ({@code -Dbench.redis.port} to change); keys live under a prefix of
 * their own, deleted at the end.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class L2HitBenchmark {

	static final int KEYS = 1024;

	@Param({ "ReadThrough", "ReadThroughTagged", "ReadThroughVersioned", "Cacheable", "LettuceGet" })
	public String cache;

	private LongFunction<Product> lookup;

	private ConfigurableApplicationContext context;

	private RedisAccess redis;

	private String prefix;

	private byte[][] rawKeys;

	@Setup(Level.Trial)
	public void setUp() {
		ProductSource source = new ProductSource();
		this.prefix = RedisAccess.uniquePrefix("l2");
		this.redis = new RedisAccess(Instances.port());
		if (this.cache.equals("Cacheable")) {
			this.context = Instances.springRedis(Instances.port(), this.prefix, source);
			this.lookup = this.context.getBean(SpringProducts.class)::find;
		}
		else {
			this.context = Instances.starter(Instances.port(), this.prefix, source,
					"tiered-cache.defaults.local.enabled=false");
			StarterProducts products = this.context.getBean(StarterProducts.class);
			this.lookup = switch (this.cache) {
				case "ReadThrough", "LettuceGet" -> products::find;
				case "ReadThroughTagged" -> products::findTagged;
				case "ReadThroughVersioned" -> products::findVersioned;
				default -> throw new IllegalArgumentException("Unknown cache: " + this.cache);
			};
		}
		for (int i = 0; i < KEYS; i++) {
			this.lookup.apply(i);
		}
		for (int i = 0; i < KEYS; i++) {
			this.lookup.apply(i);
		}
		if (source.loads() != KEYS) {
			throw new IllegalStateException(this.cache + " loaded " + source.loads() + " times for " + KEYS
					+ " keys: the second pass did not hit L2");
		}
		if (this.cache.equals("LettuceGet")) {
			List<byte[]> keys = this.redis.keys(this.prefix + "c:*", KEYS);
			if (keys.size() != KEYS) {
				throw new IllegalStateException("Found " + keys.size() + " starter values, expected " + KEYS);
			}
			this.rawKeys = keys.toArray(new byte[0][]);
			RedisCommands<byte[], byte[]> commands = this.redis.commands();
			this.lookup = null;
			this.floor = (id) -> commands.get(this.rawKeys[(int) id]);
		}
	}

	private LongFunction<byte[]> floor;

	@TearDown(Level.Trial)
	public void tearDown() {
		this.context.close();
		this.redis.deletePrefix(this.prefix);
		this.redis.close();
	}

	@Benchmark
	public Object hit(KeyCursor cursor) {
		long id = cursor.next();
		return (this.floor != null) ? this.floor.apply(id) : this.lookup.apply(id);
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
