package dev.tieredcache.sample;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

import dev.tieredcache.cache.TieredCacheManager;

/**
 * Lets the sample start when Redis does not answer, which the starter does not yet allow.
 *
 * <p>The starter's {@code tieredCacheListenerContainer} subscribes to the invalidation
 * channel when the context starts, and Spring Data Redis's container fails the start-up
 * when it cannot connect: its recovery back-off only covers a connection lost after the
 * first subscription. Here the container does not start by itself; it is started in the
 * same lifecycle phase and, if Redis does not answer, retried in the background until it
 * does. Meanwhile the starter serves from L1 and the database. When the subscription
 * finally starts, L1 is dropped, since invalidations published before it were missed.
 *
 * <p>To be removed once the starter tolerates a missing Redis at start-up.
 */
@Configuration(proxyBeanMethods = false)
class InvalidationSubscriptionConfiguration {

	private static final String CONTAINER = "tieredCacheListenerContainer";

	@Bean
	static BeanPostProcessor tieredCacheListenerContainerDeferral() {
		return new BeanPostProcessor() {

			@Override
			public Object postProcessBeforeInitialization(Object bean, String beanName) {
				if (CONTAINER.equals(beanName) && bean instanceof RedisMessageListenerContainer container) {
					container.setAutoStartup(false);
				}
				return bean;
			}

		};
	}

	@Bean
	InvalidationSubscriptionStarter invalidationSubscriptionStarter(
			@Qualifier(CONTAINER) ObjectProvider<RedisMessageListenerContainer> container,
			ObjectProvider<TieredCacheManager> manager) {
		return new InvalidationSubscriptionStarter(container.getIfAvailable(), manager.getIfAvailable());
	}

	/**
	 * Starts the listener container, retrying every two seconds while Redis does not answer.
	 */
	static final class InvalidationSubscriptionStarter implements SmartLifecycle {

		private static final Log logger = LogFactory.getLog(InvalidationSubscriptionStarter.class);

		private static final long RETRY_SECONDS = 2;

		private final RedisMessageListenerContainer container;

		private final TieredCacheManager manager;

		private volatile ScheduledExecutorService retries;

		private volatile boolean running;

		InvalidationSubscriptionStarter(RedisMessageListenerContainer container, TieredCacheManager manager) {
			this.container = container;
			this.manager = manager;
		}

		@Override
		public void start() {
			this.running = true;
			if (this.container == null || tryStart()) {
				return;
			}
			logger.info("The invalidation subscription starts when Redis answers; until then this instance "
					+ "serves from L1 and the database");
			this.retries = Executors
				.newSingleThreadScheduledExecutor(new CustomizableThreadFactory("sample-invalidation-subscription-"));
			this.retries.scheduleWithFixedDelay(this::retry, RETRY_SECONDS, RETRY_SECONDS, TimeUnit.SECONDS);
		}

		private void retry() {
			if (tryStart()) {
				if (this.manager != null) {
					this.manager.forgetLocalState();
				}
				logger.info("The invalidation subscription started: L1 is cleared");
				this.retries.shutdown();
			}
		}

		private boolean tryStart() {
			try {
				this.container.start();
				return true;
			}
			catch (RuntimeException ex) {
				// A failed start leaves the container marked as started: reset it for the next try.
				this.container.stop();
				logger.debug("The invalidation subscription could not start", ex);
				return false;
			}
		}

		@Override
		public void stop() {
			ScheduledExecutorService retries = this.retries;
			if (retries != null) {
				retries.shutdownNow();
			}
			this.running = false;
		}

		@Override
		public boolean isRunning() {
			return this.running;
		}

		@Override
		public int getPhase() {
			return (this.container != null) ? this.container.getPhase() : DEFAULT_PHASE;
		}

	}

}
