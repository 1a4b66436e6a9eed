package dev.tieredcache.benchmarks;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of the run's own on a free loopback port, without persistence, for
 * counts no other client may disturb. Never touches the shared server.
 */
final class PrivateRedis implements AutoCloseable {

	private final Process process;

	private final int port;

	private PrivateRedis(Process process, int port) {
		this.process = process;
		this.port = port;
	}

	/**
	 * Starts a server, if {@code redis-server} is on the path.
	 * @return the server, or null when it cannot be started
	 */
	static PrivateRedis startIfAvailable() {
		try {
			int port;
			try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
				port = socket.getLocalPort();
			}
			Path dir = Files.createTempDirectory("bench-redis-");
			Process process = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind",
					"127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString())
				.redirectErrorStream(true)
				.redirectOutput(new File(dir.toFile(), "redis.log"))
				.start();
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
			while (System.nanoTime() < deadline) {
				if (accepts(port)) {
					return new PrivateRedis(process, port);
				}
				if (!process.isAlive()) {
					break;
				}
				Thread.sleep(20);
			}
			process.destroyForcibly();
			return null;
		}
		catch (IOException | InterruptedException ex) {
			return null;
		}
	}

	private static boolean accepts(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(Instances.HOST, port), 200);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	int port() {
		return this.port;
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
			this.process.destroyForcibly();
		}
	}

}
