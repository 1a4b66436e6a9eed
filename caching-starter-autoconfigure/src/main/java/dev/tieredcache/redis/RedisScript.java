package dev.tieredcache.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script loaded once from {@code dev/tieredcache/redis/*.lua} and called by its SHA-1;
 * each file's header states its keys, arguments and atomicity.
 *
 * @param name the file name without extension
 * @param source the script
 * @param sha1 the script's SHA-1, as EVALSHA wants it
 */
record RedisScript(String name, String source, String sha1) {

	static final RedisScript ACQUIRE = load("acquire");

	static final RedisScript FILL = load("fill");

	static final RedisScript RELEASE = load("release");

	static final RedisScript ACQUIRE_MANY = load("acquire-many");

	static final RedisScript FILL_MANY = load("fill-many");

	static final RedisScript WRITE = load("write");

	static final RedisScript VERSION_BUMP = load("version-bump");

	static final RedisScript VERSION_READ = load("version-read");

	static final RedisScript WB_WRITE = load("wb-write");

	static final RedisScript WB_RELEASE = load("wb-release");

	static final RedisScript WB_DROP = load("wb-drop");

	static final RedisScript WB_CLAIM = load("wb-claim");

	static final RedisScript WB_TAKE = load("wb-take");

	static final RedisScript WB_RENEW = load("wb-renew");

	static final RedisScript WB_ACK = load("wb-ack");

	static final RedisScript WB_FAIL = load("wb-fail");

	static final RedisScript WB_REVIVE = load("wb-revive");

	static final RedisScript WB_DUE = load("wb-due");

	static final RedisScript HOT_KEYS_RECORD = load("hot-keys-record");

	static final RedisScript FILTER_CHECK = load("filter-check");

	static final RedisScript FILTER_CHECK_MANY = load("filter-check-many");

	static final RedisScript FILTER_ADD = load("filter-add");

	static final RedisScript FILTER_BEGIN = load("filter-begin");

	static final RedisScript FILTER_FILL = load("filter-fill");

	static final RedisScript FILTER_SWAP = load("filter-swap");

	static final RedisScript FILTER_ABORT = load("filter-abort");

	private static RedisScript load(String name) {
		String path = "/dev/tieredcache/redis/" + name + ".lua";
		try (InputStream in = RedisScript.class.getResourceAsStream(path)) {
			if (in == null) {
				throw new IllegalStateException("Missing script " + path);
			}
			String source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			return new RedisScript(name, source, sha1(source));
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot read script " + path, ex);
		}
	}

	private static String sha1(String source) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-1");
			return HexFormat.of().formatHex(digest.digest(source.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-1 is not available", ex);
		}
	}

}
