package dev.tieredcache.cache;

import org.junit.jupiter.api.Test;

import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What waits for Redis stays bounded without forgetting what other instances need.
 */
class PendingInvalidationsTests {

	@Test
	void tooManyKeysOfOneCacheCollapseIntoItsClearAndTagsAndGroupsAreKept() {
		Instances.runner(TestRedis.SHARED_PORT, TestRedis.uniquePrefix("pending")).run((context) -> {
			TieredCache cache = context.getBean(TieredCacheManager.class).getCache("users");
			PendingInvalidations pending = new PendingInvalidations();
			// Tags and groups are shared with caches this instance never created.
			pending.tag("team:1", System.nanoTime());
			pending.group("@region:1", System.nanoTime());
			for (int i = 0; i <= PendingInvalidations.KEY_LIMIT; i++) {
				pending.key(cache, "k" + i, System.nanoTime(), null);
			}
			assertThat(pending.size()).as("one clear, one tag, one group").isEqualTo(3);
		});
	}

}
