package dev.tieredcache.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.cache.CacheStatistics.Tier;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.RedisClusterProcess;
import dev.tieredcache.test.RedisMonitor;
import dev.tieredcache.test.TestRedis;
import dev.tieredcache.test.TestThreads;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Batch reads on a real Redis Cluster (three masters): entries spread over every master,
 * read with one pipelined {@code MGET} per slot, locked and filled with one pipelined script
 * call per slot, and loaded once across two instances.
 */
class RedisClusterBatchTests {

	private static RedisClusterProcess cluster;

	private final String prefix = TestRedis.uniquePrefix("cluster-batch");

	private final ApplicationContextRunner runner = ClusterInstances.runner(cluster, this.prefix)
		.withPropertyValues("tiered-cache.redis.repair-interval=1h");

	@BeforeAll
	static void startCluster() throws Exception {
		cluster = RedisClusterProcess.start(3, 0);
	}

	@AfterAll
	static void stopCluster() throws Exception {
		if (cluster != null) {
			cluster.close();
		}
	}

	@Test
	void aBatchLoadsTheMissingKeysOnceAndTheOtherInstanceReadsThemFromEveryMaster() {
		this.runner.run((a) -> this.runner.run((b) -> {
			List<Long> ids = LongStream.rangeClosed(1, 30).boxed().toList();
			List<List<Long>> calls = new ArrayList<>();
			Function<Set<Long>, Map<Long, String>> loader = (missing) -> {
				calls.add(new ArrayList<>(missing));
				return values(missing);
			};
			cache(a).getAll(ids.subList(0, 10), loader);
			assertThat(cache(a).getAll(ids, loader)).isEqualTo(values(ids));
			assertThat(calls).containsExactly(ids.subList(0, 10), ids.subList(10, 30));
			List<RedisMonitor> monitors = monitors();
			assertThat(cache(b).getAll(ids, loader)).isEqualTo(values(ids));
			assertThat(calls).as("B read everything from Redis").hasSize(2);
			assertThat(cache(b).getStatistics().hits(Tier.L2)).isEqualTo(30);
			Map<String, Long> commands = take(monitors);
			System.out.println("Cluster, 30 keys in Redis on 3 masters: " + commands);
			assertThat(commands.keySet()).as("reads only").containsOnly("mget", "evalsha");
			assertThat(ClusterInstances.keysPerMaster(cluster, this.prefix).values()).hasSize(3)
				.allMatch((count) -> count > 0);
		}));
	}

	@Test
	void twoInstancesAskingForOverlappingListsAtOnceLoadEveryKeyOnce() {
		this.runner.run((a) -> this.runner.run((b) -> {
			Map<Long, AtomicInteger> loads = new ConcurrentHashMap<>();
			CountDownLatch bothLoading = new CountDownLatch(2);
			Function<Set<Long>, Map<Long, String>> loader = (ids) -> {
				ids.forEach((id) -> loads.computeIfAbsent(id, (k) -> new AtomicInteger()).incrementAndGet());
				bothLoading.countDown();
				try {
					bothLoading.await(10, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				return values(ids);
			};
			List<Long> first = LongStream.rangeClosed(1, 30).boxed().toList();
			List<Long> second = LongStream.rangeClosed(10, 40).boxed().toList();
			CompletableFuture<Map<Long, String>> fromA = CompletableFuture.supplyAsync(() -> cache(a).getAll(first, loader), TestThreads.EACH_ON_ITS_OWN);
			CompletableFuture<Map<Long, String>> fromB = CompletableFuture
				.supplyAsync(() -> cache(b).getAll(second, loader), TestThreads.EACH_ON_ITS_OWN);
			assertThat(fromA.join()).isEqualTo(values(first));
			assertThat(fromB.join()).isEqualTo(values(second));
			assertThat(loads).hasSize(40);
			assertThat(loads.values()).allMatch((count) -> count.get() == 1);
		}));
	}

	private static List<RedisMonitor> monitors() throws Exception {
		List<RedisMonitor> monitors = new ArrayList<>();
		for (int port : cluster.masterPorts()) {
			RedisMonitor monitor = new RedisMonitor(port);
			monitor.take();
			monitors.add(monitor);
		}
		return monitors;
	}

	private static Map<String, Long> take(List<RedisMonitor> monitors) throws Exception {
		Map<String, Long> total = new java.util.TreeMap<>();
		for (RedisMonitor monitor : monitors) {
			monitor.take().forEach((command, calls) -> total.merge(command, calls, Long::sum));
			monitor.close();
		}
		total.remove("echo");
		total.remove("ping");
		total.remove("cluster");
		return total;
	}

	private static TieredCache cache(org.springframework.context.ApplicationContext context) {
		return context.getBean(TieredCacheManager.class).getCache("users");
	}

	private static Map<Long, String> values(java.util.Collection<Long> ids) {
		Map<Long, String> values = new java.util.LinkedHashMap<>();
		ids.forEach((id) -> values.put(id, "user " + id));
		return values;
	}

}
