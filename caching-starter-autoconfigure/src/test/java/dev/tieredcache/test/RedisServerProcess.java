package dev.tieredcache.test;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

import org.springframework.util.FileSystemUtils;

/**
 * A {@code redis-server} process of a test's own, on a free loopback port, for tests that
 * kill, pause or reconfigure Redis. Never touches the shared server on 6379.
 */
public final class RedisServerProcess implements AutoCloseable {

	private final int port;

	private final List<String> extraArgs;

	private final Path dir;

	private Process process;

	private RedisServerProcess(int port, List<String> extraArgs) throws IOException {
		this.port = port;
		this.extraArgs = extraArgs;
		this.dir = Files.createTempDirectory("redis-" + port);
	}

	/**
	 * Starts a server on a free port.
	 * @param extraArgs more {@code redis-server} arguments, such as {@code --requirepass x}
	 * @return the running server
	 */
	public static RedisServerProcess start(String... extraArgs) throws IOException {
		RedisServerProcess server = new RedisServerProcess(freePort(), List.of(extraArgs));
		server.startProcess();
		return server;
	}

	/**
	 * Starts a server on a given port.
	 * @param port the port
	 * @param extraArgs more {@code redis-server} arguments
	 * @return the running server
	 */
	public static RedisServerProcess startOn(int port, String... extraArgs) throws IOException {
		RedisServerProcess server = new RedisServerProcess(port, List.of(extraArgs));
		server.startProcess();
		return server;
	}

	/** Returns a free loopback TCP port. */
	public static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
	}

	public int port() {
		return this.port;
	}

	public Path dir() {
		return this.dir;
	}

	/** Returns whether the server process is running. */
	public boolean isAlive() {
		return this.process != null && this.process.isAlive();
	}

	private void startProcess() throws IOException {
		List<String> command = new ArrayList<>(List.of("redis-server", "--port", String.valueOf(this.port), "--bind",
				"127.0.0.1", "--save", "", "--appendonly", "no", "--dir", this.dir.toString()));
		command.addAll(this.extraArgs);
		this.process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(new File(this.dir.toFile(), "redis.log"))
			.start();
		Awaitility.await("redis-server on port " + this.port)
			.atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(20))
			.until(this::accepts);
	}

	private boolean accepts() {
		return accepts(this.port);
	}

	/**
	 * Whether something accepts TCP connections on a loopback port.
	 * @param port the port
	 * @return whether a connection succeeds within 200 ms
	 */
	static boolean accepts(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * Sends one command with {@code redis-cli} and returns its output.
	 * @param args the command and its arguments
	 * @return what redis-cli printed
	 */
	public String cli(String... args) throws IOException, InterruptedException {
		return cli(this.port, args);
	}

	/**
	 * Sends one command with {@code redis-cli} to a loopback port and returns its output.
	 * @param port the server's port
	 * @param args the command and its arguments
	 * @return what redis-cli printed
	 */
	static String cli(int port, String... args) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(port)));
		command.addAll(List.of(args));
		Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
		byte[] out = cli.getInputStream().readAllBytes();
		cli.waitFor(10, TimeUnit.SECONDS);
		return new String(out, StandardCharsets.UTF_8).trim();
	}

	/** Kills the server at once (SIGKILL): its data is lost. */
	public void kill() throws InterruptedException {
		if (this.process != null && this.process.isAlive()) {
			this.process.destroyForcibly();
			this.process.waitFor(10, TimeUnit.SECONDS);
		}
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !accepts());
	}

	/** Starts the server again, empty, on the same port. */
	public void restart() throws IOException {
		startProcess();
	}

	/** Freezes the server (SIGSTOP): connections are accepted but nothing is answered. */
	public void pause() throws IOException, InterruptedException {
		signal("STOP");
	}

	/** Thaws a paused server (SIGCONT). */
	public void resume() throws IOException, InterruptedException {
		signal("CONT");
	}

	private void signal(String signal) throws IOException, InterruptedException {
		new ProcessBuilder("kill", "-" + signal, String.valueOf(this.process.pid())).start().waitFor(5, TimeUnit.SECONDS);
	}

	@Override
	public void close() throws InterruptedException {
		if (this.process != null && this.process.isAlive()) {
			signal0("CONT");
			this.process.destroyForcibly();
			this.process.waitFor(10, TimeUnit.SECONDS);
		}
		deleteQuietly(this.dir);
	}

	/** Deletes a test's temporary directory, so repeated runs leave nothing in /tmp. */
	static void deleteQuietly(Path dir) {
		try {
			FileSystemUtils.deleteRecursively(dir);
		}
		catch (IOException ex) {
			// Best effort: a leftover temporary directory harms no test.
		}
	}

	private void signal0(String signal) {
		try {
			signal(signal);
		}
		catch (IOException | InterruptedException ex) {
			// Best effort before the kill.
		}
	}

}
