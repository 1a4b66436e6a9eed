package dev.tieredcache.test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;

/**
 * A Redis Sentinel setup of a test's own on loopback: one master, one replica and one or
 * three sentinels watching them as {@value #MASTER_NAME}. Can kill the master and wait for
 * the sentinels to promote the replica. Never touches the shared server on 6379.
 */
public final class RedisSentinelProcess implements AutoCloseable {

	/** The name the sentinels monitor the master under. */
	public static final String MASTER_NAME = "mymaster";

	private final List<RedisServerProcess> servers = new ArrayList<>();

	private final List<Sentinel> sentinels = new ArrayList<>();

	private RedisServerProcess master;

	private RedisServerProcess replica;

	private RedisSentinelProcess() {
	}

	/**
	 * Starts a master, its replica and the sentinels, and waits until the sentinels know both.
	 * @param sentinelCount one or three
	 * @return the running setup
	 */
	public static RedisSentinelProcess start(int sentinelCount) throws Exception {
		RedisSentinelProcess setup = new RedisSentinelProcess();
		try {
			setup.startServers();
			for (int i = 0; i < sentinelCount; i++) {
				setup.sentinels.add(new Sentinel(setup.master.port(), (sentinelCount == 1) ? 1 : sentinelCount / 2 + 1));
			}
			setup.awaitSentinelsSeeReplica();
			return setup;
		}
		catch (Exception | AssertionError ex) {
			setup.close();
			throw ex;
		}
	}

	private void startServers() throws IOException {
		this.master = RedisServerProcess.start("--repl-diskless-sync-delay", "0");
		this.servers.add(this.master);
		this.replica = RedisServerProcess.start("--repl-diskless-sync-delay", "0", "--replicaof", "127.0.0.1",
				String.valueOf(this.master.port()));
		this.servers.add(this.replica);
		Awaitility.await("replica in sync")
			.atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(50))
			.ignoreExceptions()
			.until(() -> this.replica.cli("info", "replication").contains("master_link_status:up"));
	}

	private void awaitSentinelsSeeReplica() {
		String replicaPort = String.valueOf(this.replica.port());
		Awaitility.await("sentinels see the master and its replica")
			.atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(100))
			.ignoreExceptions()
			.until(() -> {
				for (Sentinel sentinel : this.sentinels) {
					if (!sentinel.cli("sentinel", "replicas", MASTER_NAME).contains(replicaPort)
							|| sentinel.masterPort() != this.master.port()) {
						return false;
					}
				}
				return true;
			});
	}

	/** Returns the port of the current master. */
	public int masterPort() {
		return this.master.port();
	}

	/** Returns {@code 127.0.0.1:port,...} of the sentinels, for {@code spring.data.redis.sentinel.nodes}. */
	public String sentinelNodesProperty() {
		return this.sentinels.stream().map((s) -> "127.0.0.1:" + s.port).collect(Collectors.joining(","));
	}

	/**
	 * Sends one command to the current master with {@code redis-cli}.
	 * @param args the command
	 * @return what redis-cli printed
	 */
	public String cliOnMaster(String... args) throws IOException, InterruptedException {
		return this.master.cli(args);
	}

	/**
	 * Kills the master at once (SIGKILL) and waits until every sentinel names the replica as
	 * the master and the replica says it is one.
	 * @param atMost how long the failover may take
	 * @return the new master's port
	 */
	public int killMasterAndAwaitFailover(Duration atMost) throws Exception {
		this.master.kill();
		RedisServerProcess promoted = this.replica;
		Awaitility.await("sentinels promote the replica on " + promoted.port())
			.atMost(atMost)
			.pollInterval(Duration.ofMillis(100))
			.ignoreExceptions()
			.until(() -> {
				for (Sentinel sentinel : this.sentinels) {
					if (sentinel.masterPort() != promoted.port()) {
						return false;
					}
				}
				return promoted.cli("role").startsWith("master");
			});
		this.master = promoted;
		this.replica = null;
		return promoted.port();
	}

	@Override
	public void close() throws InterruptedException {
		for (Sentinel sentinel : this.sentinels) {
			sentinel.close();
		}
		for (RedisServerProcess server : this.servers) {
			server.close();
		}
	}

	/** A {@code redis-server <conf> --sentinel} process with a generated configuration. */
	private static final class Sentinel implements AutoCloseable {

		private final int port;

		private final Process process;

		private final Path dir;

		Sentinel(int masterPort, int quorum) throws IOException {
			this.port = RedisServerProcess.freePort();
			Path dir = Files.createTempDirectory("sentinel-" + this.port);
			this.dir = dir;
			Path conf = dir.resolve("sentinel.conf");
			Files.writeString(conf, String.join("\n", "port " + this.port, "bind 127.0.0.1", "dir " + dir,
					"sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + masterPort + " " + quorum,
					"sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
					"sentinel failover-timeout " + MASTER_NAME + " 5000", ""));
			this.process = new ProcessBuilder("redis-server", conf.toString(), "--sentinel").redirectErrorStream(true)
				.redirectOutput(new File(dir.toFile(), "sentinel.log"))
				.start();
			Awaitility.await("sentinel on port " + this.port)
				.atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> RedisServerProcess.accepts(this.port));
		}

		int masterPort() throws IOException, InterruptedException {
			String[] address = cli("sentinel", "get-master-addr-by-name", MASTER_NAME).split("\\s+");
			return Integer.parseInt(address[address.length - 1]);
		}

		String cli(String... args) throws IOException, InterruptedException {
			return RedisServerProcess.cli(this.port, args);
		}

		@Override
		public void close() throws InterruptedException {
			if (this.process.isAlive()) {
				this.process.destroyForcibly();
				this.process.waitFor(10, TimeUnit.SECONDS);
			}
			RedisServerProcess.deleteQuietly(this.dir);
		}

	}

}
