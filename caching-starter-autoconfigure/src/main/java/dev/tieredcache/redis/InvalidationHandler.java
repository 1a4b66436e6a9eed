package dev.tieredcache.redis;

import dev.tieredcache.redis.RedisKeyLayout.VersionKind;

/**
 * Receives what other instances publish on the invalidation channel. Called on the
 * subscription's thread; implementations must be quick and must not block.
 */
public interface InvalidationHandler {

	/**
	 * Another instance wrote or evicted a key.
	 * @param cache the encoded cache name
	 * @param localKey the key as L1 holds it
	 */
	void keyChanged(String cache, String localKey);

	/**
	 * A tag, group or cache epoch moved on.
	 * @param kind what the version belongs to
	 * @param name the encoded name
	 * @param version the new version
	 */
	void versionChanged(VersionKind kind, String name, long version);

	/**
	 * A read-through load finished (stored its value or gave up its lock).
	 * @param entryId the entry
	 */
	void loadFinished(String entryId);

	/**
	 * The subscription came back after being lost: messages may have been missed.
	 */
	void subscriptionRestored();

	/**
	 * Messages of another instance were lost while the subscription stayed up (a gap in
	 * its sequence numbers): whatever they invalidated is unknown.
	 */
	void invalidationsMissed();

}
