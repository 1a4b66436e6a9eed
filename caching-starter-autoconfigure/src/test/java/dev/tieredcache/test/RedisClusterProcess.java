package dev.tieredcache.test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;

/**
 * A Redis Cluster of a test's own on loopback: {@code redis-server --cluster-enabled yes}
 * processes on free ports, joined with {@code redis-cli --cluster create}. Can kill a master
 * and wait for one of its replicas to take over. Never touches the shared server on 6379.
 */
public final class RedisClusterProcess implements AutoCloseable {

	private static final Duration NODE_TIMEOUT = Duration.ofMillis(1000);

	private final Map<Integer, RedisServerProcess> nodes = new LinkedHashMap<>();

	private RedisClusterProcess() {
	}

	/**
	 * Starts a cluster and waits until it reports {@code cluster_state:ok} on every node.
	 * @param masters how many masters (at least three)
	 * @param replicasPerMaster how many replicas each master gets
	 * @return the running cluster
	 */
	public static RedisClusterProcess start(int masters, int replicasPerMaster) throws Exception {
		RedisClusterProcess cluster = new RedisClusterProcess();
		try {
			cluster.startNodes(masters * (1 + replicasPerMaster));
			cluster.create(replicasPerMaster);
			cluster.awaitHealthy(Duration.ofSeconds(30));
			cluster.awaitReplicasInSync(Duration.ofSeconds(30));
			return cluster;
		}
		catch (Exception | AssertionError ex) {
			cluster.close();
			throw ex;
		}
	}

	private void startNodes(int count) throws IOException {
		for (int i = 0; i < count; i++) {
			int port = freeClusterPort();
			this.nodes.put(port,
					RedisServerProcess.startOn(port, "--cluster-enabled", "yes", "--cluster-config-file",
							"nodes-" + port + ".conf", "--cluster-node-timeout", String.valueOf(NODE_TIMEOUT.toMillis()),
							"--repl-diskless-sync-delay", "0"));
		}
	}

	/**
	 * A port that is free along with its cluster bus port (port + 10000), below the ephemeral
	 * range so that the bus port exists at all.
	 */
	private int freeClusterPort() throws IOException {
		for (int attempt = 0; attempt < 100; attempt++) {
			int port = ThreadLocalRandom.current().nextInt(20000, 30000);
			if (!this.nodes.containsKey(port) && !this.nodes.containsKey(port - 10000)
					&& !this.nodes.containsKey(port + 10000) && isFree(port) && isFree(port + 10000)) {
				return port;
			}
		}
		throw new IOException("No free port pair for a cluster node");
	}

	private static boolean isFree(int port) {
		try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private void create(int replicasPerMaster) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
		this.nodes.keySet().forEach((port) -> command.add("127.0.0.1:" + port));
		command.addAll(List.of("--cluster-replicas", String.valueOf(replicasPerMaster), "--cluster-yes"));
		Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
		String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (!cli.waitFor(30, TimeUnit.SECONDS) || cli.exitValue() != 0) {
			throw new IllegalStateException("redis-cli --cluster create failed:\n" + out);
		}
	}

	/**
	 * Waits until every live node reports {@code cluster_state:ok} and agrees on which nodes
	 * are masters.
	 * @param atMost how long to wait
	 */
	public void awaitHealthy(Duration atMost) {
		Awaitility.await("cluster_state:ok on every node")
			.atMost(atMost)
			.pollInterval(Duration.ofMillis(100))
			.ignoreExceptions()
			.until(() -> {
				for (int port : livePorts()) {
					if (!node(port).cli("cluster", "info").contains("cluster_state:ok")) {
						return false;
					}
				}
				List<Integer> masters = masterPorts();
				for (int port : livePorts()) {
					if (!masterPortsSeenBy(port).equals(masters)) {
						return false;
					}
				}
				return true;
			});
	}

	/**
	 * Waits until every replica has finished its first sync: a replica that never synced
	 * counts as too stale to be promoted ({@code cluster-replica-validity-factor}).
	 */
	private void awaitReplicasInSync(Duration atMost) {
		Awaitility.await("every replica in sync with its master")
			.atMost(atMost)
			.pollInterval(Duration.ofMillis(100))
			.ignoreExceptions()
			.until(() -> {
				for (int port : livePorts()) {
					String replication = node(port).cli("info", "replication");
					if (replication.contains("role:slave") && !replication.contains("master_link_status:up")) {
						return false;
					}
				}
				return true;
			});
	}

	/** Returns {@code 127.0.0.1:port,...} of every node started, for {@code spring.data.redis.cluster.nodes}. */
	public String nodesProperty() {
		return this.nodes.keySet().stream().map((port) -> "127.0.0.1:" + port).collect(Collectors.joining(","));
	}

	/** Returns the ports of the nodes still running. */
	public List<Integer> livePorts() {
		return this.nodes.entrySet()
			.stream()
			.filter((node) -> node.getValue().isAlive())
			.map(Map.Entry::getKey)
			.toList();
	}

	/** Returns the ports of the live masters that serve slots, as the cluster sees them now. */
	public List<Integer> masterPorts() throws IOException, InterruptedException {
		return masterPortsSeenBy(livePorts().get(0));
	}

	private List<Integer> masterPortsSeenBy(int port) throws IOException, InterruptedException {
		List<Integer> masters = new ArrayList<>();
		for (String line : node(port).cli("cluster", "nodes").split("\n")) {
			String[] fields = line.trim().split(" ");
			// id ip:port@bus flags master ping pong epoch link-state slot...
			if (fields.length > 8 && fields[2].contains("master") && !fields[2].contains("fail")) {
				masters.add(Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1, fields[1].indexOf('@'))));
			}
		}
		masters.sort(null);
		return masters;
	}

	/**
	 * Returns how many keys a node holds.
	 * @param port the node
	 * @return its DBSIZE
	 */
	public long dbsize(int port) throws IOException, InterruptedException {
		return Long.parseLong(node(port).cli("dbsize"));
	}

	/**
	 * Sends one command to one node with {@code redis-cli}.
	 * @param port the node
	 * @param args the command
	 * @return what redis-cli printed
	 */
	public String cli(int port, String... args) throws IOException, InterruptedException {
		return node(port).cli(args);
	}

	/**
	 * Kills a master at once (SIGKILL) and waits until one of its replicas has taken over and
	 * the cluster is healthy again.
	 * @param port the master's port
	 * @param atMost how long the failover may take
	 * @return the port of the promoted replica
	 */
	public int killMasterAndAwaitFailover(int port, Duration atMost) throws Exception {
		String masterId = node(port).cli("cluster", "myid");
		List<Integer> replicas = new ArrayList<>();
		for (int candidate : livePorts()) {
			if (candidate != port && node(candidate).cli("cluster", "nodes").lines()
				.anyMatch((line) -> line.contains("myself") && line.contains(masterId))) {
				replicas.add(candidate);
			}
		}
		if (replicas.isEmpty()) {
			throw new IllegalStateException("Master " + port + " has no replica to promote");
		}
		node(port).kill();
		int[] promoted = new int[1];
		Awaitility.await("a replica of " + port + " promoted")
			.atMost(atMost)
			.pollInterval(Duration.ofMillis(100))
			.ignoreExceptions()
			.until(() -> {
				for (int replica : replicas) {
					if (node(replica).cli("role").startsWith("master")) {
						promoted[0] = replica;
						return true;
					}
				}
				return false;
			});
		awaitHealthy(atMost);
		return promoted[0];
	}

	private RedisServerProcess node(int port) {
		RedisServerProcess node = this.nodes.get(port);
		if (node == null) {
			throw new IllegalArgumentException("No cluster node on port " + port);
		}
		return node;
	}

	@Override
	public void close() throws InterruptedException {
		for (RedisServerProcess node : this.nodes.values()) {
			node.close();
		}
	}

}
