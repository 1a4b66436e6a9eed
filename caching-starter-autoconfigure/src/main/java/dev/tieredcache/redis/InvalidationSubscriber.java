package dev.tieredcache.redis;

import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.SubscriptionListener;

import dev.tieredcache.redis.RedisKeyLayout.VersionKind;

/**
 * Listens on the invalidation channel and hands other instances' messages to the
 * {@link InvalidationHandler}; this instance's own messages are ignored, except load
 * notifications, which may wake its own waiters.
 *
 * <p>Lettuce re-subscribes by itself after a lost connection; every subscription after the
 * first therefore means messages may have been missed, and is reported as
 * {@link InvalidationHandler#subscriptionRestored()}.
 */
public final class InvalidationSubscriber implements MessageListener, SubscriptionListener {

	private static final Log logger = LogFactory.getLog(InvalidationSubscriber.class);

	private final String instanceId;

	private final InvalidationHandler handler;

	private final AtomicBoolean subscribedOnce = new AtomicBoolean();

	private final MessageSequences sequences;

	/**
	 * Creates the subscriber.
	 * @param instanceId this instance's id, whose own messages are ignored
	 * @param handler receives other instances' messages
	 * @param sequences tells lost messages from the others' sequence numbers
	 */
	public InvalidationSubscriber(String instanceId, InvalidationHandler handler, MessageSequences sequences) {
		this.instanceId = instanceId;
		this.handler = handler;
		this.sequences = sequences;
	}

	/**
	 * Declares lost the messages missing for longer than the grace period; called
	 * periodically (a loss is also found at once when a message reveals it).
	 */
	public void checkForLostMessages() {
		if (this.sequences.expired()) {
			missed();
		}
		if (this.sequences.closeBaselineWindow()) {
			// A message lost in the first moments of listening cannot be told from one sent
			// before: what L1 took in during them is dropped, as for a loss.
			this.handler.invalidationsMissed();
		}
	}

	/**
	 * Returns the sequence number up to which every message of another instance arrived.
	 * @param instanceId the other instance
	 * @return the number, or -1 if nothing was received from it
	 */
	public long receivedUpTo(String instanceId) {
		return this.sequences.receivedUpTo(instanceId);
	}

	private void missed() {
		logger.warn("Invalidation messages of another instance were lost: L1 is cleared");
		this.handler.invalidationsMissed();
	}

	/** Returns whether the channel has been subscribed at least once. */
	public boolean isSubscribed() {
		return this.subscribedOnce.get();
	}

	@Override
	public void onChannelSubscribed(byte[] channel, long count) {
		this.sequences.reset();
		if (!this.subscribedOnce.compareAndSet(false, true)) {
			logger.warn("Invalidation subscription restored: L1 is cleared, invalidations may have been missed");
			this.handler.subscriptionRestored();
		}
	}

	@Override
	public void onMessage(Message message, byte[] pattern) {
		InvalidationMessage parsed = InvalidationMessage.parse(message.getBody());
		if (parsed == null) {
			logger.debug("Ignoring a message that is not a tiered-cache invalidation");
			return;
		}
		if (parsed.kind() == InvalidationMessage.FILLED) {
			this.handler.loadFinished(parsed.detail());
			return;
		}
		if (this.instanceId.equals(parsed.instance())) {
			return;
		}
		boolean heartbeat = parsed.kind() == InvalidationMessage.HEARTBEAT;
		if (!heartbeat) {
			apply(parsed);
		}
		// Counted as received only once applied: whoever waits for this number (test support,
		// a heartbeat overtaken by this message) then finds L1 already without the change.
		if (this.sequences.received(parsed.instance(), parsed.sequence(), heartbeat)) {
			missed();
		}
	}

	private void apply(InvalidationMessage parsed) {
		try {
			switch (parsed.kind()) {
				case InvalidationMessage.KEY -> this.handler.keyChanged(parsed.subject(), parsed.detail());
				case InvalidationMessage.CLEAR -> this.handler.versionChanged(VersionKind.EPOCH, parsed.subject(),
						Long.parseLong(parsed.detail()));
				case InvalidationMessage.TAG -> this.handler.versionChanged(VersionKind.TAG, parsed.subject(),
						Long.parseLong(parsed.detail()));
				case InvalidationMessage.GROUP -> this.handler.versionChanged(VersionKind.GROUP, parsed.subject(),
						Long.parseLong(parsed.detail()));
				default -> logger.debug("Ignoring an invalidation message of unknown kind");
			}
		}
		catch (NumberFormatException ex) {
			logger.debug("Ignoring a malformed invalidation message");
		}
	}

}
