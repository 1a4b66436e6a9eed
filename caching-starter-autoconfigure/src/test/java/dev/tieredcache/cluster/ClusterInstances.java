package dev.tieredcache.cluster;

import java.util.Map;
import java.util.TreeMap;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.test.Instances;
import dev.tieredcache.test.RedisClusterProcess;
import dev.tieredcache.test.RedisSentinelProcess;

/**
 * Instances of an application whose Redis is a cluster or a sentinel-watched master,
 * configured only through Spring Boot's {@code spring.data.redis.*} properties.
 */
final class ClusterInstances {

	private ClusterInstances() {
	}

	static ApplicationContextRunner runner(RedisClusterProcess cluster, String prefix) {
		return Instances.runner(prefix, "spring.data.redis.cluster.nodes=" + cluster.nodesProperty());
	}

	static ApplicationContextRunner runner(RedisSentinelProcess sentinels, String prefix) {
		return Instances.runner(prefix, "spring.data.redis.sentinel.master=" + RedisSentinelProcess.MASTER_NAME,
				"spring.data.redis.sentinel.nodes=" + sentinels.sentinelNodesProperty());
	}

	/**
	 * Counts the keys under a prefix on each live master, scanning each node directly.
	 * @param cluster the cluster
	 * @param prefix the key prefix
	 * @return key count by master port
	 */
	static Map<Integer, Integer> keysPerMaster(RedisClusterProcess cluster, String prefix) throws Exception {
		Map<Integer, Integer> counts = new TreeMap<>();
		for (int port : cluster.masterPorts()) {
			String keys = cluster.cli(port, "--scan", "--pattern", prefix + "*");
			counts.put(port, (int) keys.lines().filter((line) -> !line.isBlank()).count());
		}
		return counts;
	}

}
