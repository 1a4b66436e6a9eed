package dev.tieredcache.autoconfigure;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Warns at start-up when the application's Redis is a cluster and Lettuce never refreshes
 * its view of the cluster topology.
 *
 * <p>Without a refresh, Lettuce keeps sending the commands of a failed master's slots to
 * the dead node after a replica has taken over: every cache operation on those slots fails
 * (callers fall back to L1 and the loaders, so nothing breaks) and caching never resumes
 * there until the application restarts. Spring Boot leaves the refresh off by default; the
 * starter does not turn it on behind the application's back, it says which properties do.
 */
final class ClusterTopologyRefreshCheck {

	private static final Log logger = LogFactory.getLog(ClusterTopologyRefreshCheck.class);

	private ClusterTopologyRefreshCheck() {
	}

	/**
	 * Logs a warning if the factory talks to a cluster and its topology is never refreshed.
	 * @param connectionFactory the application's connection factory
	 * @return whether the warning was logged
	 */
	static boolean warnIfDisabled(LettuceConnectionFactory connectionFactory) {
		if (!connectionFactory.isClusterAware() || refreshes(connectionFactory)) {
			return false;
		}
		logger.warn("Redis Cluster topology refresh is off: after a failover the tiered cache stays without L2 on "
				+ "the failed master's slots until the application restarts. Set "
				+ "spring.data.redis.lettuce.cluster.refresh.adaptive=true and "
				+ "spring.data.redis.lettuce.cluster.refresh.period (for example 30s)");
		return true;
	}

	private static boolean refreshes(LettuceConnectionFactory connectionFactory) {
		ClientOptions options = connectionFactory.getClientConfiguration().getClientOptions().orElse(null);
		if (!(options instanceof ClusterClientOptions clusterOptions)) {
			return false;
		}
		ClusterTopologyRefreshOptions refresh = clusterOptions.getTopologyRefreshOptions();
		return refresh.isPeriodicRefreshEnabled() || !refresh.getAdaptiveRefreshTriggers().isEmpty();
	}

}
