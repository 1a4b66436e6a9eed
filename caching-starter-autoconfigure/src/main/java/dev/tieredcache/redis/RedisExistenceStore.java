package dev.tieredcache.redis;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.lettuce.core.ScriptOutputType;
import org.jspecify.annotations.Nullable;

/**
 * The Redis operations of one cache's existence filter ({@code dev.tieredcache.existence}):
 * a Bloom filter kept as one Redis string of {@code m} bits, shared by every instance, read
 * and written by Lua scripts that take the bit offsets computed by the caller. The filter,
 * the filter being rebuilt and the rebuild lock share a hash tag, so every script touches
 * one slot of a Redis Cluster. Every method is one round trip and may throw
 * {@link RedisUnavailableException}.
 */
public final class RedisExistenceStore {

	private static final byte[] YES = { '1' };

	private static final byte[] NO = { '0' };

	private final RedisCommandExecutor executor;

	private final byte[] filter;

	private final byte[] building;

	private final byte[] lock;

	/**
	 * Creates the operations of one filter.
	 * @param store the store, whose executor and layout they use
	 * @param filterId the filter's {@linkplain RedisKeyLayout#filterId id}
	 */
	public RedisExistenceStore(RedisStore store, String filterId) {
		this.executor = store.executor();
		RedisKeyLayout layout = store.layout();
		this.filter = layout.filter(filterId);
		this.building = layout.filterBuilding(filterId);
		this.lock = layout.filterLock(filterId);
	}

	/**
	 * Checks a key's bits ({@code filter-check.lua}).
	 * @param offsets the key's bit offsets
	 * @return what the filter says
	 */
	public Check check(long[] offsets) {
		Long result = this.executor.script("filter-check", RedisScript.FILTER_CHECK, ScriptOutputType.INTEGER,
				new byte[][] { this.filter }, numbers(offsets, 0));
		if (result == null || result < 0) {
			return Check.NO_FILTER;
		}
		return (result == 0) ? Check.ABSENT : Check.MAY_EXIST;
	}

	/**
	 * Checks several keys' bits in one round trip ({@code filter-check-many.lua}).
	 * @param hashes the number of offsets per key
	 * @param offsets the keys' bit offsets, {@code hashes} per key, key after key
	 * @return per key, whether it may exist; null when there is no filter
	 */
	public boolean @Nullable [] checkAll(int hashes, long[] offsets) {
		byte[][] args = numbers(offsets, 1);
		args[0] = number(hashes);
		Object result = this.executor.script("filter-check-many", RedisScript.FILTER_CHECK_MANY,
				ScriptOutputType.MULTI, new byte[][] { this.filter }, args);
		if (!(result instanceof List<?> answers) || answers.isEmpty()) {
			return null;
		}
		boolean[] mayExist = new boolean[answers.size()];
		for (int i = 0; i < mayExist.length; i++) {
			mayExist[i] = !Long.valueOf(0).equals(answers.get(i));
		}
		return mayExist;
	}

	/**
	 * Sets the bits of keys in the filter and in the filter being rebuilt, those of the two
	 * that exist ({@code filter-add.lua}).
	 * @param offsets the keys' bit offsets, all together
	 */
	public void add(long[] offsets) {
		this.executor.script("filter-add", RedisScript.FILTER_ADD, ScriptOutputType.INTEGER,
				new byte[][] { this.filter, this.building }, numbers(offsets, 0));
	}

	/**
	 * Takes the rebuild lock and creates an empty filter of {@code bits} bits to build into
	 * ({@code filter-begin.lua}).
	 * @param token the builder's token
	 * @param leaseMillis the lease of the lock and of the filter being built
	 * @param bits the filter's size in bits
	 * @param onlyIfMissing whether to build only if there is no filter
	 * @return the outcome
	 */
	public Begin begin(String token, long leaseMillis, long bits, boolean onlyIfMissing) {
		Long result = this.executor.script("filter-begin", RedisScript.FILTER_BEGIN, ScriptOutputType.INTEGER,
				new byte[][] { this.lock, this.building, this.filter }, bytes(token), number(leaseMillis),
				number(bits - 1), onlyIfMissing ? YES : NO);
		if (result == null || result == 0L) {
			return Begin.BUSY;
		}
		return (result == 2L) ? Begin.PRESENT : Begin.STARTED;
	}

	/**
	 * Sets the bits of a batch of the source's keys in the filter being built, renewing the
	 * leases ({@code filter-fill.lua}).
	 * @param token the builder's token
	 * @param leaseMillis the lease
	 * @param offsets the keys' bit offsets, all together
	 * @return false if the builder lost its lock or its filter, and must stop
	 */
	public boolean fill(String token, long leaseMillis, long[] offsets) {
		byte[][] args = numbers(offsets, 2);
		args[0] = bytes(token);
		args[1] = number(leaseMillis);
		Long result = this.executor.script("filter-fill", RedisScript.FILTER_FILL, ScriptOutputType.INTEGER,
				new byte[][] { this.lock, this.building }, args);
		return result != null && result == 1L;
	}

	/**
	 * Replaces the filter with the one built, atomically, and releases the lock
	 * ({@code filter-swap.lua}).
	 * @param token the builder's token
	 * @return false if the builder lost its lock or its filter
	 */
	public boolean swap(String token) {
		Long result = this.executor.script("filter-swap", RedisScript.FILTER_SWAP, ScriptOutputType.INTEGER,
				new byte[][] { this.lock, this.building, this.filter }, bytes(token));
		return result != null && result == 1L;
	}

	/**
	 * Drops the filter being built and releases the lock, if still the builder's
	 * ({@code filter-abort.lua}).
	 * @param token the builder's token
	 */
	public void abort(String token) {
		this.executor.script("filter-abort", RedisScript.FILTER_ABORT, ScriptOutputType.INTEGER,
				new byte[][] { this.lock, this.building }, bytes(token));
	}

	/**
	 * Deletes the filter, so that every instance lets every key through until it is rebuilt,
	 * and the filter being rebuilt, if any, which may lack the same keys (its builder stops).
	 */
	public void drop() {
		byte[] filterKey = this.filter;
		byte[] buildingKey = this.building;
		this.executor.execute("filter-drop", (redis) -> redis.del(filterKey, buildingKey));
	}

	/**
	 * Returns the filter's Redis key, for tests and operators.
	 * @return the key's name
	 */
	public String filterKey() {
		return new String(this.filter, StandardCharsets.UTF_8);
	}

	private static byte[][] numbers(long[] values, int reserved) {
		byte[][] args = new byte[values.length + reserved][];
		for (int i = 0; i < values.length; i++) {
			args[reserved + i] = number(values[i]);
		}
		return args;
	}

	private static byte[] number(long n) {
		return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
	}

	private static byte[] bytes(String s) {
		return s.getBytes(StandardCharsets.UTF_8);
	}

	/** What the filter says of a key. */
	public enum Check {

		/** Some bit of the key is clear: it was never added. */
		ABSENT,
		/** Every bit of the key is set: it may exist (or be a false positive). */
		MAY_EXIST,
		/** There is no filter: nothing can be said. */
		NO_FILTER

	}

	/** How the start of a rebuild went. */
	public enum Begin {

		/** The lock is taken and an empty filter created. */
		STARTED,
		/** Another builder holds the lock. */
		BUSY,
		/** A filter exists and the rebuild was asked only if there is none. */
		PRESENT

	}

}
