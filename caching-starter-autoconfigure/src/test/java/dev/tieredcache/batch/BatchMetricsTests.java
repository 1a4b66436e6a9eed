package dev.tieredcache.batch;

import java.util.List;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import dev.tieredcache.cache.CacheStatistics.Tier;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.metrics.TieredCacheMetrics;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static dev.tieredcache.batch.BatchReadThroughTests.cache;
import static dev.tieredcache.batch.BatchReadThroughTests.range;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Batch reads count per element in the cache's meters and record their sizes in
 * {@code tiered.cache.batch.size}.
 */
class BatchMetricsTests {

	@Test
	void batchesCountEveryElementAndRecordTheirSizes() {
		Instances.runner(TestRedis.SHARED_PORT, TestRedis.uniquePrefix("batch-metrics")).run((context) -> {
			TieredCache cache = cache(context, "products");
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			new TieredCacheMetrics(cache, List.of()).bindTo(registry);
			cache.getAll(range(1, 10), BatchReadThroughTests::values);
			cache.getAll(range(1, 4), BatchReadThroughTests::values);
			DistributionSummary sizes = registry.get("tiered.cache.batch.size").tag("cache", "products").summary();
			assertThat(sizes.count()).isEqualTo(2);
			assertThat(sizes.totalAmount()).isEqualTo(14);
			assertThat(sizes.max()).isEqualTo(10);
			assertThat(registry.get("tiered.cache.gets").tags("tier", "l1", "result", "hit").functionCounter().count())
				.isEqualTo(4);
			assertThat(registry.get("tiered.cache.gets").tags("tier", "l2", "result", "miss").functionCounter().count())
				.isEqualTo(10);
			assertThat(registry.get("tiered.cache.loads").tags("result", "success").timer().count())
				.isEqualTo(10);
			assertThat(cache.getStatistics().puts(Tier.L2)).isEqualTo(10);
		});
	}

}
