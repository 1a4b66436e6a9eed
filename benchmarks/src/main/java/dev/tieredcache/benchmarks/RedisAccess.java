package dev.tieredcache.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;

/**
 * Raw Lettuce access to Redis, beside the starter: the floor of the L2 benchmarks, the
 * command statistics, and the clean-up of a run's keys (by prefix, never FLUSHALL: the
 * server is shared).
 */
public final class RedisAccess implements AutoCloseable {

	private final RedisClient client;

	private final StatefulRedisConnection<byte[], byte[]> connection;

	public RedisAccess(int port) {
		this.client = RedisClient.create(RedisURI.create(Instances.HOST, port));
		this.connection = this.client.connect(ByteArrayCodec.INSTANCE);
	}

	public RedisCommands<byte[], byte[]> commands() {
		return this.connection.sync();
	}

	/** Returns a key prefix no other run uses. */
	public static String uniquePrefix(String benchmark) {
		return "tc-bench:" + benchmark + ":" + UUID.randomUUID().toString().substring(0, 8) + ":";
	}

	/**
	 * Returns keys under a prefix.
	 * @param pattern a SCAN pattern
	 * @param max how many at most
	 * @return the keys
	 */
	public List<byte[]> keys(String pattern, int max) {
		List<byte[]> keys = new ArrayList<>();
		ScanArgs args = ScanArgs.Builder.matches(pattern).limit(1000);
		ScanCursor cursor = ScanCursor.INITIAL;
		do {
			KeyScanCursor<byte[]> page = commands().scan(cursor, args);
			for (byte[] key : page.getKeys()) {
				if (keys.size() < max) {
					keys.add(key);
				}
			}
			cursor = page;
		}
		while (!cursor.isFinished() && keys.size() < max);
		return keys;
	}

	/**
	 * Deletes every key under a prefix.
	 * @param prefix the prefix
	 * @return how many keys were deleted
	 */
	public long deletePrefix(String prefix) {
		return deletePattern(prefix + "*");
	}

	/**
	 * Deletes every key matching a pattern, such as {@code *prefix*} for the keys Redisson
	 * derives from an object's name ({@code redisson__timeout__set:{name}}).
	 * @param pattern a SCAN pattern
	 * @return how many keys were deleted
	 */
	public long deletePattern(String pattern) {
		long deleted = 0;
		ScanArgs args = ScanArgs.Builder.matches(pattern).limit(1000);
		ScanCursor cursor = ScanCursor.INITIAL;
		do {
			KeyScanCursor<byte[]> page = commands().scan(cursor, args);
			if (!page.getKeys().isEmpty()) {
				deleted += commands().unlink(page.getKeys().toArray(new byte[0][]));
			}
			cursor = page;
		}
		while (!cursor.isFinished());
		return deleted;
	}

	/**
	 * Returns keys under a prefix that hold strings of at least a given length: the value
	 * keys of a layout, whatever else (counters, versions) lives beside them.
	 * @param prefix the prefix
	 * @param minLength the least length of a value
	 * @param max how many at most
	 * @return the keys
	 */
	public List<byte[]> valueKeys(String prefix, long minLength, int max) {
		List<byte[]> values = new ArrayList<>();
		for (byte[] key : keys(prefix + "*", Integer.MAX_VALUE)) {
			if (values.size() < max && "string".equals(commands().type(key)) && commands().strlen(key) >= minLength) {
				values.add(key);
			}
		}
		return values;
	}

	/** Returns a field of {@code INFO memory}, such as {@code used_memory}. */
	public long memoryInfo(String field) {
		for (String line : commands().info("memory").split("\r?\n")) {
			if (line.startsWith(field + ":")) {
				return Long.parseLong(line.substring(field.length() + 1).trim());
			}
		}
		throw new IllegalStateException("INFO memory has no " + field);
	}

	/** Returns the server's calls per command, from {@code INFO commandstats}. */
	public Map<String, Long> commandCalls() {
		Map<String, Long> calls = new LinkedHashMap<>();
		for (String line : commands().info("commandstats").split("\r?\n")) {
			if (line.startsWith("cmdstat_")) {
				String name = line.substring("cmdstat_".length(), line.indexOf(':'));
				int start = line.indexOf("calls=") + "calls=".length();
				int end = line.indexOf(',', start);
				calls.put(name, Long.parseLong(line.substring(start, end)));
			}
		}
		return calls;
	}

	/**
	 * Returns what Redis counts for a key in memory, {@code MEMORY USAGE key SAMPLES 0}.
	 * @param key the key
	 * @return its bytes, or 0 when it is gone
	 */
	public long memoryUsage(byte[] key) {
		Long usage = commands().dispatch(CommandType.MEMORY, new IntegerOutput<>(ByteArrayCodec.INSTANCE),
				new CommandArgs<>(ByteArrayCodec.INSTANCE).add("USAGE").addKey(key).add("SAMPLES").add(0));
		return (usage != null) ? usage : 0;
	}

	/** Returns a field of {@code INFO server}, such as {@code redis_version}. */
	public String serverInfo(String field) {
		for (String line : commands().info("server").split("\r?\n")) {
			if (line.startsWith(field + ":")) {
				return line.substring(field.length() + 1).trim();
			}
		}
		return "unknown";
	}

	public static byte[] bytes(String s) {
		return s.getBytes(StandardCharsets.UTF_8);
	}

	@Override
	public void close() {
		this.connection.close();
		this.client.shutdown();
	}

}
