package dev.tieredcache.testsupport;

import java.time.Duration;

import org.springframework.context.ApplicationContext;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.InvalidationSubscription;
import dev.tieredcache.redis.RedisStore;

/**
 * Helpers for an application's own tests with the starter on the class path.
 *
 * <pre class="code">
 * &#64;BeforeEach
 * void emptyTheCache(&#64;Autowired TieredCacheManager manager) {
 *     TieredCacheTestSupport.clearAll(manager);
 * }
 *
 * // two application contexts standing for two instances:
 * instanceA.getBean(UserService.class).rename(1, "alicia");
 * TieredCacheTestSupport.awaitPropagation(instanceA, instanceB, Duration.ofSeconds(2));
 * assertThat(instanceB.getBean(UserService.class).find(1).name()).isEqualTo("alicia");
 * </pre>
 */
public final class TieredCacheTestSupport {

	private TieredCacheTestSupport() {
	}

	/**
	 * Empties every cache the manager has created, in both tiers and on every instance
	 * (each cache's epoch is advanced, which no entry written before survives), and makes
	 * this instance forget the versions it holds. Runs at once, even inside a transaction.
	 * @param manager the starter's cache manager
	 */
	public static void clearAll(TieredCacheManager manager) {
		manager.getCaches().forEach(TieredCache::invalidate);
		manager.forgetLocalState();
	}

	/**
	 * Waits until every invalidation one instance has published so far has been received
	 * by another, so that a test can check the other instance without sleeping.
	 * @param from the instance that made the changes
	 * @param to the instance that must have received them
	 * @param atMost how long to wait
	 * @throws IllegalStateException if they did not arrive in time
	 */
	public static void awaitPropagation(ApplicationContext from, ApplicationContext to, Duration atMost) {
		RedisStore store = from.getBean(TieredCacheManager.class).getServices().store();
		if (store == null) {
			throw new IllegalStateException("Invalidations do not propagate in the L1-only mode "
					+ "(tiered-cache.redis.enabled=false): each instance has its own caches");
		}
		InvalidationSubscription subscription = to.getBean(InvalidationSubscription.class);
		// A heartbeat after the changes: once it arrives, so have the messages sent before it.
		store.heartbeat();
		long sent = store.lastMessageSequence();
		long deadline = System.nanoTime() + atMost.toNanos();
		while (subscription.receivedUpTo(store.instanceId()) < sent) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("The invalidations of instance " + store.instanceId()
						+ " did not reach the other instance within " + atMost);
			}
			try {
				Thread.sleep(5);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while waiting for invalidations", ex);
			}
		}
	}

}
