package dev.tieredcache.test;

import java.util.UUID;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;

/**
 * Direct access to a Redis server from tests, bypassing the starter, to look at or tamper
 * with what it stored.
 */
public final class TestRedis implements AutoCloseable {

	/** The shared Redis of this kind of machine. */
	public static final int SHARED_PORT = 6379;

	private final RedisClient client;

	private final StatefulRedisConnection<byte[], byte[]> connection;

	public TestRedis(int port) {
		this.client = RedisClient.create("redis://127.0.0.1:" + port);
		this.connection = this.client.connect(ByteArrayCodec.INSTANCE);
	}

	public RedisCommands<byte[], byte[]> commands() {
		return this.connection.sync();
	}

	/** Returns a key prefix no other test uses, so tests never see each other's keys. */
	public static String uniquePrefix(String test) {
		return "tc-test:" + test + ":" + UUID.randomUUID().toString().substring(0, 8) + ":";
	}

	@Override
	public void close() {
		this.connection.close();
		this.client.shutdown();
	}

}
