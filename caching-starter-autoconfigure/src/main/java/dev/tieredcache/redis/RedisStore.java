package dev.tieredcache.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import org.jspecify.annotations.Nullable;

import dev.tieredcache.redis.RedisKeyLayout.VersionKind;

/**
 * The Redis tier's operations, in terms of the starter's data model: entries addressed by
 * {@linkplain RedisKeyLayout#entryId entry id}, versions by kind and name. Every method is
 * one Redis round trip; every method may throw {@link RedisUnavailableException}.
 *
 * <p>Writes, evictions and version bumps publish their invalidation message from the same
 * Lua script that applies them, so no instance can receive the message before the change
 * is visible (the ordering the two-tier cache relies on to avoid reloading an old value).
 * Each of those messages carries this instance's next sequence number.
 */
public final class RedisStore implements VersionSource {

	/** The schema id of values written without one (as the entry codec writes it). */
	public static final long NO_SCHEMA = 0;

	private static final byte[] EMPTY = new byte[0];

	private static final byte[] LOCK = { '1' };

	private static final byte[] NO_LOCK = { '0' };

	private final RedisCommandExecutor executor;

	private final RedisKeyLayout layout;

	private final String instanceId;

	private final byte[] versionTtl;

	private final AtomicLong messageSequence = new AtomicLong();

	/**
	 * Creates the store.
	 * @param executor runs the commands
	 * @param layout names the keys
	 * @param instanceId this instance's id, sent with every message
	 * @param versionTtl how long a version key lives after its last change
	 */
	public RedisStore(RedisCommandExecutor executor, RedisKeyLayout layout, String instanceId, Duration versionTtl) {
		this.executor = executor;
		this.layout = layout;
		this.instanceId = instanceId;
		this.versionTtl = number(versionTtl.toMillis());
	}

	public String instanceId() {
		return this.instanceId;
	}

	public RedisKeyLayout layout() {
		return this.layout;
	}

	public RedisCommandExecutor executor() {
		return this.executor;
	}

	/**
	 * Reads an entry.
	 * @param entryId the entry
	 * @return its stored bytes (the write sequence, then the envelope; the sequence alone
	 * for a tombstone), or null if absent
	 */
	public byte @Nullable [] get(String entryId) {
		byte[] key = this.layout.entry(entryId);
		return this.executor.execute("get", (redis) -> redis.get(key));
	}

	/**
	 * Whether a key has a pending write-behind write (its marker exists).
	 * @param entryId the entry
	 * @return whether it is pending
	 */
	public boolean isPending(String entryId) {
		byte[] marker = this.layout.pending(entryId);
		Long exists = this.executor.execute("get", (redis) -> redis.exists(marker));
		return exists != null && exists > 0;
	}

	/**
	 * Reads an entry and the variant one schema loaded while the entry held another
	 * schema's value, in one round trip; {@code CacheEntries} chooses which serves.
	 * @param entryId the entry
	 * @param schema the reader's schema, not {@code NO_SCHEMA}
	 * @return both, each possibly null
	 */
	public EntryAndVariant getWithVariant(String entryId, long schema) {
		byte[] entry = this.layout.entry(entryId);
		byte[] variant = this.layout.variant(entryId, schema);
		List<KeyValue<byte[], byte[]>> values = this.executor.execute("get", (redis) -> redis.mget(entry, variant));
		return new EntryAndVariant(values.get(0).getValueOrElse(null), values.get(1).getValueOrElse(null));
	}

	/**
	 * What {@link #getWithVariant} read.
	 *
	 * @param entry the entry's bytes, or null
	 * @param variant the variant's bytes, or null
	 */
	public record EntryAndVariant(byte @Nullable [] entry, byte @Nullable [] variant) {
	}

	/**
	 * Begins a read-through load: reads the entry's write sequence and, if asked, takes the
	 * load lock.
	 * @param entryId the entry
	 * @param token this load's lock token
	 * @param leaseMillis the lock's lease
	 * @param tombstoneTtlMillis lifetime of the tombstone created when the entry is absent
	 * @param lock whether to take the lock
	 * @return the outcome
	 */
	public LoadTicket beginLoad(String entryId, String token, long leaseMillis, long tombstoneTtlMillis,
			boolean lock) {
		return beginLoad(entryId, token, leaseMillis, tombstoneTtlMillis, lock, false);
	}

	/**
	 * Begins a read-through load, as {@link #beginLoad(String, String, long, long, boolean)};
	 * when {@code unlessStored} is set and the entry holds a value (stored since the caller
	 * read it), no lock is taken and the ticket carries that value instead.
	 * @param entryId the entry
	 * @param token this load's lock token
	 * @param leaseMillis the lock's lease
	 * @param tombstoneTtlMillis lifetime of the tombstone created when the entry is absent
	 * @param lock whether to take the lock
	 * @param unlessStored whether to return a stored value rather than take the lock
	 * @return the outcome
	 */
	public LoadTicket beginLoad(String entryId, String token, long leaseMillis, long tombstoneTtlMillis,
			boolean lock, boolean unlessStored) {
		return beginLoad(entryId, token, leaseMillis, tombstoneTtlMillis, lock, unlessStored, false);
	}

	/**
	 * Begins a read-through load, as {@link #beginLoad(String, String, long, long, boolean, boolean)};
	 * when {@code staleAtHand} is set and loads of the key back off after failures
	 * (stale-if-error), no lock is taken and the ticket says so.
	 * @param entryId the entry
	 * @param token this load's lock token
	 * @param leaseMillis the lock's lease
	 * @param tombstoneTtlMillis lifetime of the tombstone created when the entry is absent
	 * @param lock whether to take the lock
	 * @param unlessStored whether to return a stored value rather than take the lock
	 * @param staleAtHand whether the caller has a stale value to serve if loads back off
	 * @return the outcome
	 */
	public LoadTicket beginLoad(String entryId, String token, long leaseMillis, long tombstoneTtlMillis,
			boolean lock, boolean unlessStored, boolean staleAtHand) {
		return beginLoad(entryId, token, leaseMillis, tombstoneTtlMillis, lock, unlessStored, staleAtHand, true);
	}

	/**
	 * Begins a read-through load, as
	 * {@link #beginLoad(String, String, long, long, boolean, boolean, boolean)}; a pending
	 * write-behind value is returned instead of the lock only when {@code servePending} is
	 * set (a caller that could not read it asks again without).
	 * @param entryId the entry
	 * @param token this load's lock token
	 * @param leaseMillis the lock's lease
	 * @param tombstoneTtlMillis lifetime of the tombstone created when the entry is absent
	 * @param lock whether to take the lock
	 * @param unlessStored whether to return a stored value rather than take the lock
	 * @param staleAtHand whether the caller has a stale value to serve if loads back off
	 * @param servePending whether to return a pending write-behind value rather than take
	 * the lock
	 * @return the outcome
	 */
	public LoadTicket beginLoad(String entryId, String token, long leaseMillis, long tombstoneTtlMillis,
			boolean lock, boolean unlessStored, boolean staleAtHand, boolean servePending) {
		byte[][] keys = { this.layout.entry(entryId), this.layout.lock(entryId), this.layout.waiters(entryId),
				this.layout.backoff(entryId), this.layout.pending(entryId) };
		List<Object> result = this.executor.script("load-start", RedisScript.ACQUIRE, ScriptOutputType.MULTI, keys,
				bytes(token), number(leaseMillis), lock ? LOCK : NO_LOCK, number(tombstoneTtlMillis),
				unlessStored ? LOCK : NO_LOCK, staleAtHand ? LOCK : NO_LOCK, servePending ? LOCK : NO_LOCK);
		byte[] stored = (result.size() > 3) ? (byte[]) result.get(3) : null;
		long outcome = (Long) result.get(0);
		return new LoadTicket(outcome == 1L, (byte[]) result.get(1), (Long) result.get(2), stored, outcome == 2L,
				outcome == 3L);
	}

	/**
	 * Ends a read-through load: stores the entry if the key saw no write since the load
	 * began, releases the lock and wakes waiters.
	 * @param cache the encoded cache name
	 * @param entryId the entry
	 * @param stored the bytes to store, from {@link #sequenced} with the ticket's sequence,
	 * or null to store nothing
	 * @param ttlMillis the value's TTL
	 * @param token the lock token
	 * @return whether the value was stored
	 */
	public boolean fill(String cache, String entryId, byte @Nullable [] stored, long ttlMillis, String token) {
		return fill(cache, entryId, stored, ttlMillis, token, NO_SCHEMA);
	}

	/**
	 * Ends a read-through load, as {@link #fill(String, String, byte[], long, String)}; the
	 * value goes to the schema's variant when the entry holds another schema's value.
	 * @param cache the encoded cache name
	 * @param entryId the entry
	 * @param stored the bytes to store, or null to store nothing
	 * @param ttlMillis the value's TTL
	 * @param token the lock token
	 * @param schema the schema the value is written in
	 * @return whether the value was stored
	 */
	public boolean fill(String cache, String entryId, byte @Nullable [] stored, long ttlMillis, String token,
			long schema) {
		byte[][] keys = { this.layout.entry(entryId), this.layout.lock(entryId), this.layout.waiters(entryId),
				this.layout.backoff(entryId), this.layout.variant(entryId, schema) };
		Long done = this.executor.script("fill", RedisScript.FILL, ScriptOutputType.INTEGER, keys,
				(stored != null) ? stored : EMPTY, number(ttlMillis), bytes(token), this.layout.channel(),
				wakeUp(cache, entryId), schemaBytes(schema));
		return done != null && done == 1L;
	}

	/** The schema id as fill scripts compare it with an entry's: 8 bytes, or empty for none. */
	static byte[] schemaBytes(long schema) {
		return (schema == NO_SCHEMA) ? EMPTY : java.nio.ByteBuffer.allocate(8).putLong(schema).array();
	}

	/**
	 * Gives up a load lock after a failed load and wakes the waiters.
	 * @param cache the encoded cache name
	 * @param entryId the entry
	 * @param token the lock token
	 */
	public void release(String cache, String entryId, String token) {
		byte[][] keys = { this.layout.lock(entryId), this.layout.waiters(entryId), this.layout.backoff(entryId) };
		this.executor.script("release", RedisScript.RELEASE, ScriptOutputType.INTEGER, keys, bytes(token),
				this.layout.channel(), wakeUp(cache, entryId), EMPTY, EMPTY);
	}

	/**
	 * Gives up a load lock after a failed load whose caller serves a stale value instead
	 * (stale-if-error), starts or doubles the key's back-off, and wakes the waiters (who
	 * then serve their stale value too).
	 * @param cache the encoded cache name
	 * @param entryId the entry
	 * @param token the lock token
	 * @param firstBackoffMillis the back-off after the first failure
	 * @param longestBackoffMillis the longest back-off
	 */
	public void releaseBackingOff(String cache, String entryId, String token, long firstBackoffMillis,
			long longestBackoffMillis) {
		byte[][] keys = { this.layout.lock(entryId), this.layout.waiters(entryId), this.layout.backoff(entryId) };
		this.executor.script("release", RedisScript.RELEASE, ScriptOutputType.INTEGER, keys, bytes(token),
				this.layout.channel(), wakeUp(cache, entryId), number(firstBackoffMillis),
				number(longestBackoffMillis));
	}

	/**
	 * Stores an entry on behalf of the application and tells other instances to drop the
	 * key from their L1.
	 * @param cache the encoded cache name
	 * @param entryId the entry
	 * @param localKey the key as other instances' L1 holds it
	 * @param stored the bytes, with {@link RedisKeyLayout#ENTRY_HEADER} reserved bytes first:
	 * the script writes the new sequence there, after which {@link #withWriteId} put the
	 * write's id
	 * @param ttlMillis the TTL
	 */
	public void put(String cache, String entryId, String localKey, byte[] stored, long ttlMillis) {
		put(cache, entryId, localKey, stored, ttlMillis, -1);
	}

	/**
	 * Stores an entry, as {@link #put(String, String, String, byte[], long)}, for a write
	 * that began some time ago (the application's method wrote the database first): a
	 * pending write-behind value written since it began is the later write, and is kept.
	 * @param cache the encoded cache name
	 * @param entryId the entry
	 * @param localKey the key as other instances' L1 holds it
	 * @param stored the bytes to store
	 * @param ttlMillis the value's TTL
	 * @param startedAgeMicros how long ago the write began, by the caller's monotonic clock,
	 * or -1 if unknown (every pending value is then superseded)
	 * @return whether the value was stored (false: a newer pending value was kept)
	 */
	public boolean put(String cache, String entryId, String localKey, byte[] stored, long ttlMillis,
			long startedAgeMicros) {
		List<Object> result = write("set", cache, entryId, localKey, stored, ttlMillis, EMPTY, EMPTY,
				startedAgeMicros);
		return ((Long) result.get(0)) == 1L;
	}

	/**
	 * Stores an entry unless a value is present.
	 * @param cache the encoded cache name
	 * @param entryId the entry
	 * @param localKey the key as other instances' L1 holds it
	 * @param stored the bytes, with reserved sequence bytes first
	 * @param ttlMillis the TTL
	 * @return the present entry's bytes, or null if this one was stored
	 */
	public byte @Nullable [] putIfAbsent(String cache, String entryId, String localKey, byte[] stored,
			long ttlMillis) {
		List<Object> result = write("nx", cache, entryId, localKey, stored, ttlMillis, EMPTY);
		return (((Long) result.get(0)) == 0L) ? (byte[]) result.get(1) : null;
	}

	/**
	 * Replaces an entry only if its write sequence is still the given one.
	 * @param cache the encoded cache name
	 * @param entryId the entry
	 * @param localKey the key as other instances' L1 holds it
	 * @param stored the bytes, with reserved sequence bytes first
	 * @param ttlMillis the TTL
	 * @param sequence the sequence the entry must still have
	 * @return whether it was replaced
	 */
	public boolean replace(String cache, String entryId, String localKey, byte[] stored, long ttlMillis,
			byte[] sequence) {
		List<Object> result = write("cas", cache, entryId, localKey, stored, ttlMillis, sequence);
		return ((Long) result.get(0)) == 1L;
	}

	/**
	 * Deletes an entry, leaving a tombstone that defeats loads begun earlier, and tells
	 * other instances to drop the key from their L1.
	 * @param cache the encoded cache name
	 * @param entryId the entry
	 * @param localKey the key as other instances' L1 holds it
	 * @param tombstoneTtlMillis lifetime of the tombstone
	 * @return whether a value was present
	 */
	public boolean delete(String cache, String entryId, String localKey, long tombstoneTtlMillis) {
		return delete(cache, entryId, localKey, tombstoneTtlMillis, -1);
	}

	/**
	 * Deletes an entry, as {@link #delete(String, String, String, long)}, for a write that
	 * began some time ago: a pending write-behind value written since it began is kept.
	 * @param cache the encoded cache name
	 * @param entryId the entry
	 * @param localKey the key as other instances' L1 holds it
	 * @param tombstoneTtlMillis lifetime of the tombstone
	 * @param startedAgeMicros how long ago the write began, or -1 if unknown
	 * @return whether a value was present
	 */
	public boolean delete(String cache, String entryId, String localKey, long tombstoneTtlMillis,
			long startedAgeMicros) {
		List<Object> result = write("del", cache, entryId, localKey, EMPTY, tombstoneTtlMillis, EMPTY, EMPTY,
				startedAgeMicros);
		return ((Long) result.get(0)) == 1L;
	}

	/**
	 * Replays a change that may never have reached Redis: deletes the entry unless it was
	 * changed after the lost change was issued, and tells other instances to drop the key
	 * from their L1 either way. The age is measured by this process's monotonic clock and
	 * the cut-off computed by Redis's, so no two machines' clocks are compared.
	 * @param cache the encoded cache name
	 * @param entryId the entry
	 * @param localKey the key as other instances' L1 holds it
	 * @param tombstoneTtlMillis lifetime of the tombstone
	 * @param ageMicros how long ago the lost change was issued
	 * @param lostWriteIds the ids of the lost writes (8 bytes each): an entry one of them
	 * stored is deleted whatever its sequence, since the write may have run late
	 * @return whether the entry was deleted
	 */
	public boolean replayDelete(String cache, String entryId, String localKey, long tombstoneTtlMillis,
			long ageMicros, byte[] lostWriteIds) {
		List<Object> result = write("replay", cache, entryId, localKey, EMPTY, tombstoneTtlMillis,
				number(ageMicros), lostWriteIds);
		return ((Long) result.get(0)) == 1L;
	}

	private List<Object> write(String mode, String cache, String entryId, String localKey, byte[] stored,
			long ttlMillis, byte[] condition) {
		return write(mode, cache, entryId, localKey, stored, ttlMillis, condition, EMPTY);
	}

	private List<Object> write(String mode, String cache, String entryId, String localKey, byte[] stored,
			long ttlMillis, byte[] condition, byte[] lostWriteIds) {
		return write(mode, cache, entryId, localKey, stored, ttlMillis, condition, lostWriteIds, -1);
	}

	private List<Object> write(String mode, String cache, String entryId, String localKey, byte[] stored,
			long ttlMillis, byte[] condition, byte[] lostWriteIds, long startedAgeMicros) {
		byte[][] keys = { this.layout.entry(entryId), this.layout.pending(entryId),
				this.layout.deadLetterRecord(entryId) };
		return this.executor.script("write", RedisScript.WRITE, ScriptOutputType.MULTI, keys, bytes(mode), stored,
				number(ttlMillis), this.layout.channel(), message(InvalidationMessage.KEY, cache, localKey),
				condition, lostWriteIds, (startedAgeMicros >= 0) ? number(startedAgeMicros) : EMPTY);
	}

	/**
	 * Marks bytes about to be stored by a write with that write's id, so that a replay can
	 * recognise the write if it ran late.
	 * @param stored the bytes, with {@link RedisKeyLayout#ENTRY_HEADER} reserved bytes first
	 * @param writeId the write's id, {@link RedisKeyLayout#WRITE_ID_LENGTH} bytes
	 * @return the same array
	 */
	public static byte[] withWriteId(byte[] stored, byte[] writeId) {
		System.arraycopy(writeId, 0, stored, RedisKeyLayout.SEQUENCE_LENGTH, RedisKeyLayout.WRITE_ID_LENGTH);
		return stored;
	}

	/**
	 * Copies a write sequence into the reserved first bytes of an entry about to be stored.
	 * @param stored the bytes, with reserved sequence bytes first
	 * @param sequence the sequence
	 * @return the same array
	 */
	public static byte[] sequenced(byte[] stored, byte[] sequence) {
		System.arraycopy(sequence, 0, stored, 0, RedisKeyLayout.SEQUENCE_LENGTH);
		return stored;
	}

	/**
	 * Whether stored bytes are a tombstone (a sequence with no value).
	 * @param stored what {@link #get} returned
	 * @return whether no value is there
	 */
	public static boolean isTombstone(byte[] stored) {
		return stored.length <= RedisKeyLayout.ENTRY_HEADER;
	}

	/**
	 * Returns the sequence number of the last invalidation message this instance sent.
	 * @return the number, 0 before the first
	 */
	public long lastMessageSequence() {
		return this.messageSequence.get();
	}

	/**
	 * Publishes a heartbeat carrying this instance's latest message sequence number, so
	 * that other instances notice a lost message even when it was this instance's last.
	 */
	public void heartbeat() {
		byte[] channel = this.layout.channel();
		byte[] message = new InvalidationMessage(InvalidationMessage.HEARTBEAT, this.instanceId,
				this.messageSequence.get(), "", "").toBytes();
		this.executor.execute("heartbeat", (redis) -> redis.publish(channel, message));
	}

	/**
	 * Advances a version and publishes it.
	 * @param kind what the version belongs to
	 * @param name the encoded name
	 * @return the new version
	 */
	public long bumpVersion(VersionKind kind, String name) {
		char messageKind = switch (kind) {
			case TAG -> InvalidationMessage.TAG;
			case GROUP -> InvalidationMessage.GROUP;
			case EPOCH -> InvalidationMessage.CLEAR;
		};
		byte[][] keys = { this.layout.version(kind, name) };
		byte[] version = this.executor.script("version", RedisScript.VERSION_BUMP, ScriptOutputType.VALUE, keys,
				this.versionTtl, this.layout.channel(), message(messageKind, name, ""));
		return Long.parseLong(new String(version, StandardCharsets.US_ASCII));
	}

	/**
	 * Reads a version, creating it if missing.
	 * @param kind what the version belongs to
	 * @param name the encoded name
	 * @return the version
	 */
	public long readVersion(VersionKind kind, String name) {
		byte[][] keys = { this.layout.version(kind, name) };
		byte[] version = this.executor.script("version", RedisScript.VERSION_READ, ScriptOutputType.VALUE, keys,
				this.versionTtl);
		return Long.parseLong(new String(version, StandardCharsets.UTF_8));
	}

	/** The message telling other instances that a key changed, with this instance's next sequence number. */
	byte[] keyMessage(String cache, String localKey) {
		return message(InvalidationMessage.KEY, cache, localKey);
	}

	private byte[] message(char kind, String subject, String detail) {
		return new InvalidationMessage(kind, this.instanceId, this.messageSequence.incrementAndGet(), subject, detail)
			.toBytes();
	}

	private byte[] wakeUp(String cache, String entryId) {
		return new InvalidationMessage(InvalidationMessage.FILLED, this.instanceId, 0, cache, entryId).toBytes();
	}

	private static byte[] bytes(String s) {
		return s.getBytes(StandardCharsets.UTF_8);
	}

	private static byte[] number(long n) {
		return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
	}

	/**
	 * What {@link RedisStore#beginLoad} returns.
	 *
	 * @param acquired whether the caller holds the lock (always true when no lock was asked)
	 * @param sequence the key's write sequence when the load began
	 * @param holderTtlMillis when not acquired, the holder's remaining lease
	 * @param stored the entry found holding a value instead of taking the lock, or null
	 * @param backingOff whether loads of the key back off after failures (stale-if-error):
	 * the caller serves its stale value instead
	 * @param pending whether {@code stored} is a pending write-behind value, to serve
	 * whatever the epoch, tags and groups it was made under: the database is about to get it
	 */
	public record LoadTicket(boolean acquired, byte[] sequence, long holderTtlMillis, byte @Nullable [] stored,
			boolean backingOff, boolean pending) {

		/**
		 * Creates a ticket without a stored value.
		 * @param acquired whether the caller holds the lock
		 * @param sequence the key's write sequence when the load began
		 * @param holderTtlMillis when not acquired, the holder's remaining lease
		 */
		public LoadTicket(boolean acquired, byte[] sequence, long holderTtlMillis) {
			this(acquired, sequence, holderTtlMillis, null, false, false);
		}

	}

}
