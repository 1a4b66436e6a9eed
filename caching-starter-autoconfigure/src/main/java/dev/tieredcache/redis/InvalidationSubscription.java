package dev.tieredcache.redis;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.core.task.SyncTaskExecutor;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.util.backoff.FixedBackOff;

/**
 * The subscription to the invalidation channel, on a {@link RedisMessageListenerContainer}
 * over the application's own connection factory.
 *
 * <p>Spring's container fails to start when Redis is unreachable; this lifecycle starts it
 * in the background instead and retries every retry interval until it succeeds, so the
 * application starts without Redis. Once subscribed, Lettuce re-subscribes by itself after
 * a lost connection, which {@link InvalidationSubscriber} reports as a restored
 * subscription.
 */
public final class InvalidationSubscription implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(InvalidationSubscription.class);

	private final RedisConnectionFactory connectionFactory;

	private final String channel;

	private final InvalidationSubscriber subscriber;

	private final Duration retryInterval;

	private volatile RedisMessageListenerContainer container;

	private ScheduledExecutorService starter;

	private volatile boolean running;

	/** Guards the hand-over between a retried start and {@link #stop()}. */
	private final Object lifecycle = new Object();

	/**
	 * Creates the subscription.
	 * @param connectionFactory the application's connection factory
	 * @param channel the invalidation channel
	 * @param subscriber receives the messages
	 * @param retryInterval how often a failed start is retried
	 */
	public InvalidationSubscription(RedisConnectionFactory connectionFactory, String channel,
			InvalidationSubscriber subscriber, Duration retryInterval) {
		this.connectionFactory = connectionFactory;
		this.channel = channel;
		this.subscriber = subscriber;
		this.retryInterval = retryInterval;
	}

	/** Returns whether the channel is currently subscribed. */
	public boolean isListening() {
		RedisMessageListenerContainer current = this.container;
		return current != null && current.isListening();
	}

	private RedisMessageListenerContainer newContainer() {
		RedisMessageListenerContainer created = new RedisMessageListenerContainer();
		created.setConnectionFactory(this.connectionFactory);
		// Handling a message is quick and never blocks: run it on the subscription's own
		// thread, in order, instead of Spring's default of a new thread per message.
		created.setTaskExecutor(new SyncTaskExecutor());
		created.setRecoveryBackoff(new FixedBackOff(this.retryInterval.toMillis(), FixedBackOff.UNLIMITED_ATTEMPTS));
		created.setAutoStartup(false);
		created.addMessageListener(this.subscriber, new ChannelTopic(this.channel));
		created.afterPropertiesSet();
		return created;
	}

	@Override
	public void start() {
		this.running = true;
		if (tryStart()) {
			return;
		}
		logger.warn("Cannot subscribe to the invalidation channel yet (Redis unreachable); retrying every "
				+ this.retryInterval.toMillis() + " ms");
		CustomizableThreadFactory threads = new CustomizableThreadFactory("tiered-cache-subscribe-");
		threads.setDaemon(true);
		long period = this.retryInterval.toMillis();
		synchronized (this.lifecycle) {
			if (!this.running) {
				return;
			}
			ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(threads);
			this.starter = retries;
			retries.scheduleWithFixedDelay(() -> {
				if (tryStart()) {
					logger.warn("Subscribed to the invalidation channel");
					retries.shutdown();
				}
			}, period, period, TimeUnit.MILLISECONDS);
		}
	}

	/**
	 * Starts a fresh container: one whose start failed keeps its failed state, so it is
	 * discarded rather than started again.
	 */
	private boolean tryStart() {
		RedisMessageListenerContainer attempt = newContainer();
		try {
			attempt.start();
			if (attempt.isListening()) {
				synchronized (this.lifecycle) {
					if (!this.running) {
						// stop() ran while this attempt was starting: it must not outlive it.
						destroyQuietly(attempt);
						return true;
					}
					this.container = attempt;
				}
				return true;
			}
		}
		catch (RuntimeException ex) {
			logger.debug("Subscribing to the invalidation channel failed", ex);
		}
		destroyQuietly(attempt);
		return false;
	}

	private static void destroyQuietly(RedisMessageListenerContainer container) {
		try {
			container.destroy();
		}
		catch (Exception ex) {
			logger.debug("Discarding a listener container failed", ex);
		}
	}

	@Override
	public void stop() {
		RedisMessageListenerContainer current;
		synchronized (this.lifecycle) {
			this.running = false;
			if (this.starter != null) {
				this.starter.shutdownNow();
			}
			current = this.container;
			this.container = null;
		}
		if (current != null) {
			destroyQuietly(current);
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

}
