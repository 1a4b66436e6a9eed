package dev.tieredcache.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.SlotHash;
import org.jspecify.annotations.Nullable;

import dev.tieredcache.redis.RedisStore.LoadTicket;

/**
 * The Redis operations of batch reads ({@code dev.tieredcache.batch}): the many-key
 * counterparts of {@link RedisStore#get}, {@link RedisStore#beginLoad} and
 * {@link RedisStore#fill}, each costing one round trip on a single node.
 *
 * <p>On a Redis Cluster a script may only touch one hash slot, and every entry has its own
 * ({@code {cache:key}}): the keys are grouped by slot and the calls of all groups sent at
 * once, pipelined, and awaited together within one command timeout. {@code MGET} on a
 * cluster connection is split by slot the same way by Lettuce's advanced cluster API. Each
 * key is guarded by its own write sequence and lock exactly as a single read's, so a batch
 * and single reads of the same key coordinate with each other. Every method may throw
 * {@link RedisUnavailableException}; Redis may then have applied part of it.
 */
public final class RedisBatchStore {

	private static final byte[] EMPTY = new byte[0];

	/** The holder TTL acquire-many.lua answers for a pending write-behind value. */
	private static final long PENDING = -2;

	private final RedisStore store;

	private final RedisCommandExecutor executor;

	private final RedisKeyLayout layout;

	/**
	 * Creates the batch operations of a store.
	 * @param store the store, whose executor and layout they share
	 */
	public RedisBatchStore(RedisStore store) {
		this.store = store;
		this.executor = store.executor();
		this.layout = store.layout();
	}

	/**
	 * Reads entries and the variants one schema loaded while they held another schema's
	 * value ({@link RedisStore#getWithVariant}), in one MGET.
	 * @param entryIds the entries
	 * @param schema the reader's schema
	 * @return for each entry, both
	 */
	public List<RedisStore.EntryAndVariant> getWithVariants(List<String> entryIds, long schema) {
		byte[][] keys = new byte[2 * entryIds.size()][];
		for (int i = 0; i < entryIds.size(); i++) {
			keys[2 * i] = this.layout.entry(entryIds.get(i));
			keys[2 * i + 1] = this.layout.variant(entryIds.get(i), schema);
		}
		List<KeyValue<byte[], byte[]>> values = this.executor.execute("mget", (redis) -> redis.mget(keys));
		List<RedisStore.EntryAndVariant> result = new ArrayList<>(entryIds.size());
		for (int i = 0; i < entryIds.size(); i++) {
			result.add(new RedisStore.EntryAndVariant(values.get(2 * i).getValueOrElse(null),
					values.get(2 * i + 1).getValueOrElse(null)));
		}
		return result;
	}

	/**
	 * Reads entries: one {@code MGET}.
	 * @param entryIds the entries
	 * @return each entry's stored bytes, or null if absent, in order
	 */
	public List<byte @Nullable []> get(List<String> entryIds) {
		byte[][] keys = new byte[entryIds.size()][];
		for (int i = 0; i < keys.length; i++) {
			keys[i] = this.layout.entry(entryIds.get(i));
		}
		List<KeyValue<byte[], byte[]>> values = this.executor.execute("mget", (redis) -> redis.mget(keys));
		List<byte @Nullable []> result = new ArrayList<>(values.size());
		for (KeyValue<byte[], byte[]> value : values) {
			result.add(value.hasValue() ? value.getValue() : null);
		}
		return result;
	}

	/**
	 * Begins the loads of several entries ({@code acquire-many.lua}, one call per slot):
	 * reads each write sequence and, if asked, takes each load lock that is free.
	 * @param entryIds the entries
	 * @param token this batch's lock token
	 * @param leaseMillis each lock's lease
	 * @param tombstoneTtlMillis lifetime of a tombstone created for an absent entry
	 * @param lock whether to take the locks
	 * @return one ticket per entry, in order
	 */
	public List<LoadTicket> beginLoads(List<String> entryIds, String token, long leaseMillis,
			long tombstoneTtlMillis, boolean lock) {
		return beginLoads(entryIds, token, leaseMillis, tombstoneTtlMillis, lock, new boolean[entryIds.size()],
				new boolean[entryIds.size()]);
	}

	/**
	 * Begins the loads of several entries, as {@link #beginLoads(List, String, long, long, boolean)};
	 * an entry the caller saw empty ({@code unlessStored}) that holds a value stored since
	 * is not locked: its ticket has a {@link LoadTicket#holderTtlMillis()} of -1, and the
	 * caller reads the value instead of loading it again.
	 * @param entryIds the entries
	 * @param token this batch's lock token
	 * @param leaseMillis each lock's lease
	 * @param tombstoneTtlMillis lifetime of a tombstone created for an absent entry
	 * @param lock whether to take the locks
	 * @param unlessStored for each entry, whether the caller saw it empty
	 * @param skipPending for each entry, whether the caller could not read its pending
	 * write-behind value, which is then not returned instead of the lock (-2)
	 * @return one ticket per entry, in order
	 */
	public List<LoadTicket> beginLoads(List<String> entryIds, String token, long leaseMillis,
			long tombstoneTtlMillis, boolean lock, boolean[] unlessStored, boolean[] skipPending) {
		Map<Integer, List<Integer>> bySlot = bySlot(entryIds);
		List<byte[][]> keys = new ArrayList<>(bySlot.size());
		List<byte[][]> argsPerCall = new ArrayList<>(bySlot.size());
		for (List<Integer> indexes : bySlot.values()) {
			keys.add(keys(entryIds, indexes));
			byte[] flags = new byte[indexes.size()];
			for (int j = 0; j < flags.length; j++) {
				int i = indexes.get(j);
				flags[j] = (byte) ('0' + (unlessStored[i] ? 1 : 0) + (skipPending[i] ? 2 : 0));
			}
			argsPerCall.add(new byte[][] { bytes(token), number(leaseMillis),
					lock ? new byte[] { '1' } : new byte[] { '0' }, number(tombstoneTtlMillis), flags });
		}
		List<List<Object>> results = this.executor.scripts("load-start-many", RedisScript.ACQUIRE_MANY,
				ScriptOutputType.MULTI, keys, argsPerCall);
		LoadTicket[] tickets = new LoadTicket[entryIds.size()];
		int call = 0;
		for (List<Integer> indexes : bySlot.values()) {
			List<Object> result = results.get(call++);
			for (int j = 0; j < indexes.size(); j++) {
				long holderTtl = (Long) result.get(3 * j + 2);
				tickets[indexes.get(j)] = new LoadTicket(((Long) result.get(3 * j)) == 1L,
						(byte[]) result.get(3 * j + 1), holderTtl, null, false, holderTtl == PENDING);
			}
		}
		return List.of(tickets);
	}

	/**
	 * Ends the loads of several entries ({@code fill-many.lua}, one call per slot): stores
	 * each value whose key saw no write since its load began, releases the locks and wakes
	 * the waiters.
	 * @param cache the encoded cache name
	 * @param entryIds the entries
	 * @param stored for each entry, the bytes to store (from {@link RedisStore#sequenced}
	 * with its ticket's sequence), or null to store nothing and only release
	 * @param ttlMillis for each entry, the value's TTL
	 * @param token the batch's lock token
	 * @param schema the schema the values are written in: a value goes to the schema's
	 * variant when its entry holds another schema's value
	 * @return for each entry, whether its value was stored
	 */
	public boolean[] fill(String cache, List<String> entryIds, List<byte @Nullable []> stored, long[] ttlMillis,
			String token, long schema) {
		Map<Integer, List<Integer>> bySlot = bySlot(entryIds);
		List<byte[][]> keys = new ArrayList<>(bySlot.size());
		List<byte[][]> args = new ArrayList<>(bySlot.size());
		for (List<Integer> indexes : bySlot.values()) {
			byte[][] callKeys = new byte[4 * indexes.size()][];
			for (int j = 0; j < indexes.size(); j++) {
				String entryId = entryIds.get(indexes.get(j));
				callKeys[4 * j] = this.layout.entry(entryId);
				callKeys[4 * j + 1] = this.layout.lock(entryId);
				callKeys[4 * j + 2] = this.layout.waiters(entryId);
				callKeys[4 * j + 3] = this.layout.variant(entryId, schema);
			}
			keys.add(callKeys);
			byte[][] callArgs = new byte[3 + 3 * indexes.size()][];
			callArgs[0] = bytes(token);
			callArgs[1] = this.layout.channel();
			callArgs[2] = RedisStore.schemaBytes(schema);
			for (int j = 0; j < indexes.size(); j++) {
				int i = indexes.get(j);
				byte[] bytes = stored.get(i);
				callArgs[3 + 3 * j] = (bytes != null) ? bytes : EMPTY;
				callArgs[4 + 3 * j] = number(Math.max(1, ttlMillis[i]));
				callArgs[5 + 3 * j] = new InvalidationMessage(InvalidationMessage.FILLED, this.store.instanceId(), 0,
						cache, entryIds.get(i))
					.toBytes();
			}
			args.add(callArgs);
		}
		List<List<Object>> results = this.executor.scripts("fill-many", RedisScript.FILL_MANY,
				ScriptOutputType.MULTI, keys, args);
		boolean[] done = new boolean[entryIds.size()];
		int call = 0;
		for (List<Integer> indexes : bySlot.values()) {
			List<Object> result = results.get(call++);
			for (int j = 0; j < indexes.size(); j++) {
				done[indexes.get(j)] = ((Long) result.get(j)) == 1L;
			}
		}
		return done;
	}

	/** Groups entries by hash slot on a cluster; all in one group on a single node. */
	private Map<Integer, List<Integer>> bySlot(List<String> entryIds) {
		Map<Integer, List<Integer>> groups = new LinkedHashMap<>();
		boolean cluster = this.executor.isCluster();
		for (int i = 0; i < entryIds.size(); i++) {
			int slot = cluster ? SlotHash.getSlot(this.layout.entry(entryIds.get(i))) : 0;
			groups.computeIfAbsent(slot, (s) -> new ArrayList<>()).add(i);
		}
		return groups;
	}

	private byte[][] keys(List<String> entryIds, List<Integer> indexes) {
		byte[][] keys = new byte[4 * indexes.size()][];
		for (int j = 0; j < indexes.size(); j++) {
			String entryId = entryIds.get(indexes.get(j));
			keys[4 * j] = this.layout.entry(entryId);
			keys[4 * j + 1] = this.layout.lock(entryId);
			keys[4 * j + 2] = this.layout.waiters(entryId);
			keys[4 * j + 3] = this.layout.pending(entryId);
		}
		return keys;
	}

	private static byte[] bytes(String s) {
		return s.getBytes(StandardCharsets.UTF_8);
	}

	private static byte[] number(long n) {
		return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
	}

}
