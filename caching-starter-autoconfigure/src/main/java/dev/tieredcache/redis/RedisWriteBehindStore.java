package dev.tieredcache.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import org.jspecify.annotations.Nullable;

/**
 * The Redis side of write-behind, in terms of the starter's data model: each pending write
 * is its entry (without TTL, so it never expires before it is flushed) and a marker in the
 * entry's slot ({@code q:{cache@key}}), both changed by one script; a per-cache index
 * ({@code pq:{cache}}) says which keys are due, and a per-cache stream ({@code dl:{cache}})
 * holds the writes given up on. The marker is the truth: an index that misses a key (a
 * crash between the two commands of a write) is repaired by {@link #sweep}, an index
 * member without marker is dropped when claimed. Every method is one or a few Redis round
 * trips and may throw {@link RedisUnavailableException}.
 */
public final class RedisWriteBehindStore {

	private static final byte[] NX = { 'n', 'x' };

	private static final byte[] SET = { 's', 'e', 't' };

	private static final byte[] ONE = { '1' };

	private static final byte[] ZERO = { '0' };

	private final RedisStore store;

	private final RedisKeyLayout layout;

	private final RedisCommandExecutor executor;

	/**
	 * Creates the store.
	 * @param store the cache's store, whose invalidation messages (and their numbering) it shares
	 */
	public RedisWriteBehindStore(RedisStore store) {
		this.store = store;
		this.layout = store.layout();
		this.executor = store.executor();
	}

	public RedisCommandExecutor executor() {
		return this.executor;
	}

	/**
	 * Stores a value as the key's pending write and tells other instances to drop the key
	 * from their L1; then indexes the key as due. If the indexing fails, the write is still
	 * pending (the marker is the truth) and the sweep indexes it.
	 * @param cache the encoded cache name
	 * @param key the encoded key
	 * @param stored the bytes, with {@link RedisKeyLayout#ENTRY_HEADER} reserved bytes first
	 * @param serializedKey the key as the flusher will need it
	 * @return whether an earlier pending value of the key was replaced before being flushed
	 */
	public boolean write(String cache, String key, byte[] stored, byte[] serializedKey) {
		String entryId = RedisKeyLayout.entryId(cache, key);
		byte[][] keys = { this.layout.entry(entryId), this.layout.pending(entryId),
				this.layout.deadLetterRecord(entryId) };
		List<Object> result = this.executor.script("write-behind", RedisScript.WB_WRITE, ScriptOutputType.MULTI, keys,
				stored, serializedKey, this.layout.channel(), this.store.keyMessage(cache, key));
		try {
			due(cache, 0, true, List.of(key));
		}
		catch (RedisUnavailableException ex) {
			// Pending all the same: the sweep finds the marker.
		}
		return ((Long) result.get(0)) == 1L;
	}

	/**
	 * Reserves up to {@code max} due keys of a cache for this flusher for the lease.
	 * @param cache the encoded cache name
	 * @param max how many at most
	 * @param leaseMillis the lease
	 * @return the encoded keys
	 */
	public List<String> claim(String cache, int max, long leaseMillis) {
		byte[][] keys = { this.layout.pendingIndex(cache) };
		List<Object> due = this.executor.script("write-behind-claim", RedisScript.WB_CLAIM, ScriptOutputType.MULTI,
				keys, number(max), number(leaseMillis));
		List<String> result = new ArrayList<>(due.size());
		for (Object member : due) {
			result.add(new String((byte[]) member, StandardCharsets.UTF_8));
		}
		return result;
	}

	/**
	 * Claims one key's pending write.
	 * @param cache the encoded cache name
	 * @param key the encoded key
	 * @param owner this flusher's id
	 * @param leaseMillis the lease
	 * @return the write, or null if another live flusher holds it; a write with null
	 * {@code stored} when nothing is pending, or when the marker's value was gone and the
	 * marker dropped ({@link Pending#lost()})
	 */
	public @Nullable Pending take(String cache, String key, String owner, long leaseMillis) {
		String entryId = RedisKeyLayout.entryId(cache, key);
		byte[][] keys = { this.layout.entry(entryId), this.layout.pending(entryId) };
		List<Object> result = this.executor.script("write-behind-take", RedisScript.WB_TAKE, ScriptOutputType.MULTI,
				keys, bytes(owner), number(leaseMillis));
		long outcome = (Long) result.get(0);
		if (outcome == 1L) {
			return null;
		}
		if (outcome == 0L) {
			return new Pending(key, null, null, 0);
		}
		if (outcome == 3L) {
			return new Pending(key, null, null, Pending.LOST);
		}
		byte[] stored = (byte[]) result.get(1);
		return new Pending(key, (stored.length > 0) ? stored : null, (byte[]) result.get(2),
				((Long) result.get(3)).intValue());
	}

	/**
	 * Gives up a claim a writer took with {@link #take} to fence a key's pending write
	 * while writing the database itself, when that write did not happen.
	 * @param cache the encoded cache name
	 * @param key the encoded key
	 * @param owner the writer's id
	 */
	public void release(String cache, String key, String owner) {
		byte[][] keys = { this.layout.pending(RedisKeyLayout.entryId(cache, key)) };
		this.executor.script("write-behind-release", RedisScript.WB_RELEASE, ScriptOutputType.INTEGER, keys,
				bytes(owner));
	}

	/**
	 * Extends this flusher's claim on one key's pending write by the lease from now, if
	 * the claim is still this flusher's (checked and extended atomically).
	 * @param cache the encoded cache name
	 * @param key the encoded key
	 * @param owner this flusher's id
	 * @param leaseMillis the lease
	 * @return 1 when renewed, 0 when nothing is pending or nobody holds it any more, -1
	 * when another flusher took the claim over
	 */
	public int renew(String cache, String key, String owner, long leaseMillis) {
		byte[][] keys = { this.layout.pending(RedisKeyLayout.entryId(cache, key)) };
		Long renewed = this.executor.script("write-behind-renew", RedisScript.WB_RENEW, ScriptOutputType.INTEGER,
				keys, bytes(owner), number(leaseMillis));
		return (renewed != null) ? renewed.intValue() : 0;
	}

	/**
	 * Acknowledges a flushed write, unless a newer value is pending.
	 * @param cache the encoded cache name
	 * @param key the encoded key
	 * @param owner this flusher's id
	 * @param sequence the flushed value's sequence
	 * @param ttlMillis the entry's TTL from now on
	 * @return whether acknowledged (false: a newer value is pending)
	 */
	public boolean ack(String cache, String key, String owner, byte[] sequence, long ttlMillis) {
		String entryId = RedisKeyLayout.entryId(cache, key);
		byte[][] keys = { this.layout.entry(entryId), this.layout.pending(entryId) };
		Long done = this.executor.script("write-behind-ack", RedisScript.WB_ACK, ScriptOutputType.INTEGER, keys,
				bytes(owner), sequence, number(ttlMillis));
		return done != null && done == 1L;
	}

	/**
	 * Records a failed flush.
	 * @param cache the encoded cache name
	 * @param key the encoded key
	 * @param owner this flusher's id
	 * @param sequence the flushed value's sequence
	 * @param deadLetter whether the write was copied to the dead letters and stops being
	 * pending
	 * @param tombstoneTtlMillis lifetime of the tombstone left by a dead letter
	 * @return what happened
	 */
	public FailOutcome fail(String cache, String key, String owner, byte[] sequence, boolean deadLetter,
			long tombstoneTtlMillis) {
		String entryId = RedisKeyLayout.entryId(cache, key);
		byte[][] keys = { this.layout.entry(entryId), this.layout.pending(entryId),
				this.layout.deadLetterRecord(entryId) };
		Long outcome = this.executor.script("write-behind-fail", RedisScript.WB_FAIL, ScriptOutputType.INTEGER, keys,
				bytes(owner), sequence, deadLetter ? ONE : ZERO, number(tombstoneTtlMillis), this.layout.channel(),
				this.store.keyMessage(cache, key));
		return switch ((outcome != null) ? outcome.intValue() : 0) {
			case 1 -> FailOutcome.NEWER_PENDING;
			case 2 -> FailOutcome.DEAD_LETTERED;
			case 3 -> FailOutcome.RETRY;
			default -> FailOutcome.NOT_PENDING;
		};
	}

	/**
	 * Sets when keys are due, by Redis's clock.
	 * @param cache the encoded cache name
	 * @param delayMillis from now
	 * @param onlyMissing whether to add only keys not indexed yet
	 * @param keys the encoded keys
	 */
	public void due(String cache, long delayMillis, boolean onlyMissing, List<String> keys) {
		if (keys.isEmpty()) {
			return;
		}
		byte[][] args = new byte[keys.size() + 2][];
		args[0] = number(delayMillis);
		args[1] = onlyMissing ? NX : SET;
		for (int i = 0; i < keys.size(); i++) {
			args[i + 2] = bytes(keys.get(i));
		}
		this.executor.script("write-behind-due", RedisScript.WB_DUE, ScriptOutputType.INTEGER,
				new byte[][] { this.layout.pendingIndex(cache) }, args);
	}

	/**
	 * Drops a key from the index once its write is no longer pending, and puts it back if a
	 * new write slipped in between (whose own indexing may have found the key still there).
	 * @param cache the encoded cache name
	 * @param key the encoded key
	 */
	public void forget(String cache, String key) {
		byte[] index = this.layout.pendingIndex(cache);
		byte[] member = bytes(key);
		this.executor.execute("write-behind-forget", (redis) -> redis.zrem(index, member));
		byte[] marker = this.layout.pending(RedisKeyLayout.entryId(cache, key));
		Long exists = this.executor.execute("write-behind-forget", (redis) -> redis.exists(marker));
		if (exists != null && exists > 0) {
			due(cache, 0, true, List.of(key));
		}
	}

	/**
	 * Indexes every pending write of a cache the index misses (found by SCAN over the
	 * markers, on every master of a cluster).
	 * @param cache the encoded cache name
	 * @return how many were missing
	 */
	public int sweep(String cache) {
		String pattern = this.layout.pendingPattern(cache);
		String prefix = this.layout.prefix() + "q:{" + cache + "@";
		ScanArgs args = ScanArgs.Builder.matches(pattern).limit(1000);
		ScanCursor cursor = ScanCursor.INITIAL;
		int added = 0;
		do {
			ScanCursor from = cursor;
			var page = this.executor.execute("write-behind-sweep", (redis) -> redis.scan(from, args));
			List<String> keys = new ArrayList<>();
			for (byte[] name : page.getKeys()) {
				String s = new String(name, StandardCharsets.UTF_8);
				if (s.startsWith(prefix) && s.endsWith("}")) {
					keys.add(s.substring(prefix.length(), s.length() - 1));
				}
			}
			if (!keys.isEmpty()) {
				byte[][] argv = new byte[keys.size() + 2][];
				argv[0] = number(0);
				argv[1] = NX;
				for (int i = 0; i < keys.size(); i++) {
					argv[i + 2] = bytes(keys.get(i));
				}
				Long n = this.executor.script("write-behind-due", RedisScript.WB_DUE, ScriptOutputType.INTEGER,
						new byte[][] { this.layout.pendingIndex(cache) }, argv);
				added += (n != null) ? n.intValue() : 0;
			}
			cursor = page;
		}
		while (!cursor.isFinished());
		return added;
	}

	/**
	 * Counts a cache's pending writes and tells how long the oldest has been due (by the
	 * index, so the age of a write being retried counts from its first due time... its
	 * last reschedule).
	 * @param cache the encoded cache name
	 * @return the count and the oldest due time (Redis ms, 0 when none)
	 */
	public Backlog backlog(String cache) {
		byte[] index = this.layout.pendingIndex(cache);
		Long count = this.executor.execute("write-behind-backlog", (redis) -> redis.zcard(index));
		List<io.lettuce.core.ScoredValue<byte[]>> first = this.executor.execute("write-behind-backlog",
				(redis) -> redis.zrangeWithScores(index, 0, 0));
		long oldest = first.isEmpty() ? 0 : (long) first.get(0).getScore();
		return new Backlog((count != null) ? count : 0, oldest);
	}

	/**
	 * Copies a write given up on to the cache's dead letters.
	 * @param cache the encoded cache name
	 * @param pending the write
	 * @param attempts how many flushes failed
	 * @param error the type of the last failure
	 */
	public void deadLetter(String cache, Pending pending, int attempts, String error) {
		byte[] stream = this.layout.deadLetters(cache);
		Map<byte[], byte[]> body = new java.util.LinkedHashMap<>();
		body.put(bytes("key"), bytes(pending.key()));
		body.put(bytes("k"), pending.serializedKey());
		body.put(bytes("v"), pending.stored());
		body.put(bytes("attempts"), number(attempts));
		body.put(bytes("error"), bytes(error));
		this.executor.execute("write-behind-dead-letter", (redis) -> redis.xadd(stream, new XAddArgs(), body));
	}

	/**
	 * Lists a cache's dead letters, oldest first.
	 * @param cache the encoded cache name
	 * @param max how many at most
	 * @return the dead letters
	 */
	public List<DeadLetter> deadLetters(String cache, int max) {
		byte[] stream = this.layout.deadLetters(cache);
		List<StreamMessage<byte[], byte[]>> messages = this.executor.execute("write-behind-dead-letters",
				(redis) -> redis.xrange(stream, Range.create("-", "+"), Limit.from(max)));
		return messages.stream().map(RedisWriteBehindStore::deadLetter).toList();
	}

	/**
	 * Reads one dead letter.
	 * @param cache the encoded cache name
	 * @param id its stream id
	 * @return it, or null if absent
	 */
	public @Nullable DeadLetter deadLetter(String cache, String id) {
		byte[] stream = this.layout.deadLetters(cache);
		List<StreamMessage<byte[], byte[]>> messages = this.executor.execute("write-behind-dead-letters",
				(redis) -> redis.xrange(stream, Range.create(id, id)));
		return messages.isEmpty() ? null : deadLetter(messages.get(0));
	}

	/**
	 * Makes a dead letter's value the key's pending write again, unless a newer write of
	 * the key supersedes it, and drops it from the dead letters either way.
	 * @param cache the encoded cache name
	 * @param letter the dead letter
	 * @return whether it is pending again (false: superseded)
	 */
	public boolean revive(String cache, DeadLetter letter) {
		String entryId = RedisKeyLayout.entryId(cache, letter.key());
		byte[][] keys = { this.layout.entry(entryId), this.layout.pending(entryId),
				this.layout.deadLetterRecord(entryId) };
		Long revived = this.executor.script("write-behind-revive", RedisScript.WB_REVIVE, ScriptOutputType.INTEGER,
				keys, letter.stored(), letter.serializedKey(), this.layout.channel(),
				this.store.keyMessage(cache, letter.key()));
		if (revived != null && revived == 1L) {
			due(cache, 0, true, List.of(letter.key()));
		}
		deleteFromStream(cache, letter.id());
		return revived != null && revived == 1L;
	}

	/**
	 * Drops a dead letter.
	 * @param cache the encoded cache name
	 * @param id its stream id
	 * @return whether it was there
	 */
	public boolean drop(String cache, String id) {
		DeadLetter letter = deadLetter(cache, id);
		if (letter != null && letter.stored().length >= RedisKeyLayout.SEQUENCE_LENGTH) {
			byte[][] keys = { this.layout.deadLetterRecord(RedisKeyLayout.entryId(cache, letter.key())) };
			this.executor.script("write-behind-dead-letter-drop", RedisScript.WB_DROP, ScriptOutputType.INTEGER, keys,
					java.util.Arrays.copyOf(letter.stored(), RedisKeyLayout.SEQUENCE_LENGTH));
		}
		return deleteFromStream(cache, id);
	}

	private boolean deleteFromStream(String cache, String id) {
		byte[] stream = this.layout.deadLetters(cache);
		Long n = this.executor.execute("write-behind-dead-letter-drop", (redis) -> redis.xdel(stream, id));
		return n != null && n > 0;
	}

	/**
	 * Counts a cache's dead letters.
	 * @param cache the encoded cache name
	 * @return how many
	 */
	public long deadLetterCount(String cache) {
		byte[] stream = this.layout.deadLetters(cache);
		Long n = this.executor.execute("write-behind-dead-letters", (redis) -> redis.xlen(stream));
		return (n != null) ? n : 0;
	}

	/**
	 * Reads Redis's {@code maxmemory-policy}.
	 * @return the policy, or null if it cannot be read (a managed Redis may refuse CONFIG)
	 */
	public @Nullable String maxmemoryPolicy() {
		try {
			Map<String, String> config = this.executor.execute("config-get",
					(redis) -> redis.configGet("maxmemory-policy"));
			return (config != null) ? config.get("maxmemory-policy") : null;
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	private static DeadLetter deadLetter(StreamMessage<byte[], byte[]> message) {
		Map<String, byte[]> fields = new java.util.HashMap<>();
		message.getBody().forEach((k, v) -> fields.put(new String(k, StandardCharsets.UTF_8), v));
		return new DeadLetter(message.getId(), string(fields.get("key")), fields.get("k"), fields.get("v"),
				Integer.parseInt(string(fields.get("attempts"))), string(fields.get("error")));
	}

	private static String string(byte @Nullable [] b) {
		return (b != null) ? new String(b, StandardCharsets.UTF_8) : "";
	}

	private static byte[] bytes(String s) {
		return s.getBytes(StandardCharsets.UTF_8);
	}

	private static byte[] number(long n) {
		return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
	}

	/**
	 * A claimed pending write.
	 *
	 * @param key the encoded key
	 * @param stored the entry (sequence, write id, envelope), or null when nothing is pending
	 * @param serializedKey the serialized key, or null when nothing is pending
	 * @param attempts how many flushes of it failed so far
	 */
	public record Pending(String key, byte @Nullable [] stored, byte @Nullable [] serializedKey, int attempts) {

		/** The attempts of a pending write whose value was gone from Redis. */
		public static final int LOST = -1;

		/** Whether the write's value was gone from Redis, and the write dropped. */
		public boolean lost() {
			return this.attempts == LOST;
		}

		/** Returns the stored value's write sequence. */
		public byte[] sequence() {
			return java.util.Arrays.copyOf(this.stored, RedisKeyLayout.SEQUENCE_LENGTH);
		}

	}

	/**
	 * A write given up on.
	 *
	 * @param id its stream id
	 * @param key the encoded key
	 * @param serializedKey the serialized key
	 * @param stored the entry as it was pending
	 * @param attempts how many flushes failed
	 * @param error the type of the last failure
	 */
	public record DeadLetter(String id, String key, byte[] serializedKey, byte[] stored, int attempts, String error) {
	}

	/**
	 * A cache's pending writes.
	 *
	 * @param count how many
	 * @param oldestDueMillis the earliest due time, Redis ms (0 when none)
	 */
	public record Backlog(long count, long oldestDueMillis) {
	}

	/** What a failed flush led to. */
	public enum FailOutcome {

		/** Nothing was pending any more. */
		NOT_PENDING,
		/** A newer value is pending. */
		NEWER_PENDING,
		/** The write is in the dead letters and no longer pending. */
		DEAD_LETTERED,
		/** The attempt was counted; retried after the back-off. */
		RETRY

	}

}
