package dev.tieredcache.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.lettuce.core.ScriptOutputType;

import org.springframework.util.Assert;

/**
 * The shared record of each cache's most read keys ({@code hk:{cache}}, a sorted set of
 * encoded keys), which every instance adds its own estimate to periodically and a starting
 * instance reads to know which entries to copy from Redis into its L1. The record is bounded
 * (trimmed to the keys asked for at every report), decays (every report halves the scores
 * already there, so keys no longer read sink and fall out) and expires when no instance
 * reports any more. Every method is one Redis round trip and may throw
 * {@link RedisUnavailableException}.
 */
public final class RedisHotKeyStore {

	/** What each report multiplies the scores already recorded by. */
	static final String DECAY = "0.5";

	private final RedisCommandExecutor executor;

	private final RedisKeyLayout layout;

	/**
	 * Creates the store.
	 * @param store the caches' store, whose connection and key layout it shares
	 */
	public RedisHotKeyStore(RedisStore store) {
		this.executor = store.executor();
		this.layout = store.layout();
	}

	/**
	 * Adds a report of a cache's most read keys to its record ({@code hot-keys-record.lua}).
	 * @param cache the encoded cache name
	 * @param keys the encoded keys, hottest first
	 * @param shares each key's share of this instance's reads of the cache, between 0 and 1
	 * @param keep how many keys the record keeps at most
	 * @param ttlMillis how long the record lives without a further report
	 * @return how many keys the record holds
	 */
	public long record(String cache, List<String> keys, double[] shares, int keep, long ttlMillis) {
		Assert.isTrue(keys.size() == shares.length, "one share per key");
		Assert.isTrue(keep > 0, "keep must be positive");
		byte[][] args = new byte[3 + 2 * keys.size()][];
		args[0] = ascii(DECAY);
		args[1] = ascii(Integer.toString(keep));
		args[2] = ascii(Long.toString(Math.max(1, ttlMillis)));
		for (int i = 0; i < keys.size(); i++) {
			args[3 + 2 * i] = ascii(Double.toString(shares[i]));
			args[4 + 2 * i] = keys.get(i).getBytes(StandardCharsets.UTF_8);
		}
		Long size = this.executor.script("hot-keys-record", RedisScript.HOT_KEYS_RECORD, ScriptOutputType.INTEGER,
				new byte[][] { this.layout.hotKeys(cache) }, args);
		return size;
	}

	/**
	 * Returns the hottest keys of a cache's record, hottest first.
	 * @param cache the encoded cache name
	 * @param limit how many at most
	 * @return the encoded keys; empty when no instance reported any
	 */
	public List<String> hottest(String cache, int limit) {
		Assert.isTrue(limit > 0, "limit must be positive");
		byte[] record = this.layout.hotKeys(cache);
		List<byte[]> members = this.executor.execute("hot-keys-read",
				(redis) -> redis.zrevrange(record, 0, limit - 1));
		List<String> keys = new ArrayList<>(members.size());
		for (byte[] member : members) {
			keys.add(new String(member, StandardCharsets.UTF_8));
		}
		return keys;
	}

	private static byte[] ascii(String s) {
		return s.getBytes(StandardCharsets.US_ASCII);
	}

}
