package dev.tieredcache.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

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
 */
public final class RedisStore {

	private static final byte[] EMPTY = new byte[0];

	private static final byte[] LOCK = { '1' };

	private static final byte[] NO_LOCK = { '0' };

	private final RedisCommandExecutor executor;

	private final RedisKeyLayout layout;

	private final String instanceId;

	private final byte[] versionTtl;

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
	 * Reads an entry's envelope.
	 * @param entryId the entry
	 * @return its bytes, or null if absent
	 */
	public byte @Nullable [] get(String entryId) {
		byte[] key = this.layout.value(entryId);
		return this.executor.execute("get", (redis) -> redis.get(key));
	}

	/**
	 * Begins a read-through load: reads the key's write sequence and, if asked, takes the
	 * load lock.
	 * @param entryId the entry
	 * @param token this load's lock token
	 * @param leaseMillis the lock's lease
	 * @param sequenceTtlMillis lifetime of the sequence key
	 * @param lock whether to take the lock
	 * @return the outcome
	 */
	public LoadTicket beginLoad(String entryId, String token, long leaseMillis, long sequenceTtlMillis,
			boolean lock) {
		byte[][] keys = { this.layout.lock(entryId), this.layout.sequence(entryId), this.layout.waiters(entryId) };
		List<Object> result = this.executor.script("load-start", RedisScript.ACQUIRE, ScriptOutputType.MULTI, keys,
				bytes(token), number(leaseMillis), number(sequenceTtlMillis), lock ? LOCK : NO_LOCK);
		return new LoadTicket(((Long) result.get(0)) == 1L, new String((byte[]) result.get(1), StandardCharsets.UTF_8),
				(Long) result.get(2));
	}

	/**
	 * Ends a read-through load: stores the envelope if the key saw no write since the load
	 * began, releases the lock and wakes waiters.
	 * @param cache the encoded cache name
	 * @param entryId the entry
	 * @param envelope the bytes to store, or null to store nothing
	 * @param ttlMillis the value's TTL
	 * @param ticket what {@link #beginLoad} returned
	 * @param token the lock token
	 * @param sequenceTtlMillis lifetime of the sequence key
	 * @return whether the value was stored
	 */
	public boolean fill(String cache, String entryId, byte @Nullable [] envelope, long ttlMillis, LoadTicket ticket,
			String token, long sequenceTtlMillis) {
		byte[][] keys = { this.layout.value(entryId), this.layout.sequence(entryId), this.layout.lock(entryId),
				this.layout.waiters(entryId) };
		Long stored = this.executor.script("fill", RedisScript.FILL, ScriptOutputType.INTEGER, keys,
				(envelope != null) ? envelope : EMPTY, number(ttlMillis), bytes(ticket.sequence()), bytes(token),
				this.layout.channel(), message(InvalidationMessage.FILLED, cache, entryId),
				number(sequenceTtlMillis));
		return stored != null && stored == 1L;
	}

	/**
	 * Gives up a load lock after a failed load and wakes the waiters.
	 * @param cache the encoded cache name
	 * @param entryId the entry
	 * @param token the lock token
	 */
	public void release(String cache, String entryId, String token) {
		byte[][] keys = { this.layout.lock(entryId), this.layout.waiters(entryId) };
		this.executor.script("release", RedisScript.RELEASE, ScriptOutputType.INTEGER, keys, bytes(token),
				this.layout.channel(), message(InvalidationMessage.FILLED, cache, entryId));
	}

	/**
	 * Stores an entry on behalf of the application and tells other instances to drop the
	 * key from their L1.
	 * @param cache the encoded cache name
	 * @param entryId the entry
	 * @param localKey the key as other instances' L1 holds it
	 * @param envelope the bytes
	 * @param ttlMillis the TTL
	 * @param sequenceTtlMillis lifetime of the sequence key
	 */
	public void put(String cache, String entryId, String localKey, byte[] envelope, long ttlMillis,
			long sequenceTtlMillis) {
		write("set", cache, entryId, localKey, envelope, ttlMillis, sequenceTtlMillis);
	}

	/**
	 * Stores an entry unless one is present.
	 * @param cache the encoded cache name
	 * @param entryId the entry
	 * @param localKey the key as other instances' L1 holds it
	 * @param envelope the bytes
	 * @param ttlMillis the TTL
	 * @param sequenceTtlMillis lifetime of the sequence key
	 * @return the present envelope, or null if this one was stored
	 */
	public byte @Nullable [] putIfAbsent(String cache, String entryId, String localKey, byte[] envelope,
			long ttlMillis, long sequenceTtlMillis) {
		List<Object> result = write("nx", cache, entryId, localKey, envelope, ttlMillis, sequenceTtlMillis);
		return (((Long) result.get(0)) == 0L) ? (byte[]) result.get(1) : null;
	}

	/**
	 * Deletes an entry and tells other instances to drop the key from their L1.
	 * @param cache the encoded cache name
	 * @param entryId the entry
	 * @param localKey the key as other instances' L1 holds it
	 * @param sequenceTtlMillis lifetime of the sequence key
	 * @return whether an entry was present
	 */
	public boolean delete(String cache, String entryId, String localKey, long sequenceTtlMillis) {
		List<Object> result = write("del", cache, entryId, localKey, EMPTY, 1, sequenceTtlMillis);
		return ((Long) result.get(0)) == 1L;
	}

	private List<Object> write(String mode, String cache, String entryId, String localKey, byte[] envelope,
			long ttlMillis, long sequenceTtlMillis) {
		byte[][] keys = { this.layout.value(entryId), this.layout.sequence(entryId) };
		return this.executor.script("write", RedisScript.WRITE, ScriptOutputType.MULTI, keys, bytes(mode), envelope,
				number(ttlMillis), number(sequenceTtlMillis), this.layout.channel(),
				message(InvalidationMessage.KEY, cache, localKey));
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

	private byte[] message(char kind, String subject, String detail) {
		return new InvalidationMessage(kind, this.instanceId, subject, detail).toBytes();
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
	 */
	public record LoadTicket(boolean acquired, String sequence, long holderTtlMillis) {
	}

}
