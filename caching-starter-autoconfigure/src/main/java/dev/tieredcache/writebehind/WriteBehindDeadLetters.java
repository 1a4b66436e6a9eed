package dev.tieredcache.writebehind;

import java.util.List;

import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.redis.RedisWriteBehindStore;
import dev.tieredcache.redis.RedisWriteBehindStore.DeadLetter;

/**
 * The dead letters of the write-behind caches, as the actuator endpoint shows and handles
 * them: listed (never with their values), replayed (pending again, unless a newer write of
 * the key supersedes them) or dropped.
 */
public final class WriteBehindDeadLetters {

	private final TieredCacheManager manager;

	private final RedisWriteBehindStore store;

	private final WriteBehindMethods methods;

	/**
	 * Creates the dead letters' handler.
	 * @param manager the caches
	 * @param store the Redis side
	 * @param methods the write-behind methods, which tell the write-behind caches
	 */
	public WriteBehindDeadLetters(TieredCacheManager manager, RedisWriteBehindStore store, WriteBehindMethods methods) {
		this.manager = manager;
		this.store = store;
		this.methods = methods;
	}

	/**
	 * Tells whether a cache is written behind (has a {@code @WriteBehind} method), so has
	 * dead letters.
	 * @param cache the cache name
	 * @return whether it is
	 */
	public boolean isWriteBehind(String cache) {
		return this.methods.get(cache) != null;
	}

	/**
	 * Lists a cache's dead letters, oldest first.
	 * @param cache the cache name
	 * @param max how many at most
	 * @return id, failed attempts and last failure type of each (never the key or the value)
	 */
	public List<Letter> list(String cache, int max) {
		return this.store.deadLetters(encoded(cache), max)
			.stream()
			.map((letter) -> new Letter(letter.id(), letter.attempts(), letter.error()))
			.toList();
	}

	/**
	 * Replays a dead letter: its value becomes the key's pending write again, unless a
	 * newer write of the key supersedes it; it leaves the dead letters either way.
	 * @param cache the cache name
	 * @param id the dead letter's id
	 * @return the outcome
	 */
	public Replay replay(String cache, String id) {
		DeadLetter letter = this.store.deadLetter(encoded(cache), id);
		if (letter == null) {
			return Replay.NOT_FOUND;
		}
		return this.store.revive(encoded(cache), letter) ? Replay.PENDING : Replay.SUPERSEDED;
	}

	/**
	 * Drops a dead letter.
	 * @param cache the cache name
	 * @param id its id
	 * @return whether it was there
	 */
	public boolean drop(String cache, String id) {
		return this.store.drop(encoded(cache), id);
	}

	/**
	 * Counts a cache's dead letters.
	 * @param cache the cache name
	 * @return how many
	 */
	public long count(String cache) {
		return this.store.deadLetterCount(encoded(cache));
	}

	private String encoded(String cache) {
		return this.manager.getCache(cache).getEncodedName();
	}

	/**
	 * A dead letter, without its value.
	 *
	 * @param id its stream id
	 * @param attempts failed flushes
	 * @param error the type of the last failure
	 */
	public record Letter(String id, int attempts, String error) {
	}

	/** What a replay did. */
	public enum Replay {

		/** The write is pending again. */
		PENDING,
		/** A newer write of the key supersedes it; dropped. */
		SUPERSEDED,
		/** No such dead letter. */
		NOT_FOUND

	}

}
