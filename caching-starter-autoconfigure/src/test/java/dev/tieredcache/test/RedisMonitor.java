package dev.tieredcache.test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;

/**
 * Counts the commands clients send to a Redis server (its round trips), read from the
 * {@code MONITOR} stream, which tells them apart from the commands Lua scripts run inside
 * the server ({@code INFO commandstats} counts both alike). Only for a server of the test's
 * own: MONITOR sees every client.
 */
public final class RedisMonitor implements AutoCloseable {

	private static final Pattern LINE = Pattern.compile("^\\S+ \\[([^\\]]*)\\] \"([^\"]+)\"");

	private final int port;

	private final Socket socket;

	private final Map<String, Long> counts = new TreeMap<>();

	private final Thread reader;

	private String lastMarker = "";

	public RedisMonitor(int port) throws IOException {
		this.port = port;
		this.socket = new Socket("127.0.0.1", port);
		OutputStream out = this.socket.getOutputStream();
		out.write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
		out.flush();
		BufferedReader in = new BufferedReader(
				new InputStreamReader(this.socket.getInputStream(), StandardCharsets.ISO_8859_1));
		this.reader = new Thread(() -> read(in), "redis-monitor");
		this.reader.setDaemon(true);
		this.reader.start();
	}

	private void read(BufferedReader in) {
		try {
			String line;
			while ((line = in.readLine()) != null) {
				record(line);
			}
		}
		catch (IOException ex) {
			// Closed.
		}
	}

	private synchronized void record(String line) {
		Matcher matcher = LINE.matcher(line);
		if (!matcher.find() || matcher.group(1).contains("lua")) {
			return;
		}
		String command = matcher.group(2).toLowerCase();
		if (command.equals("echo") && line.contains("monitor-marker:")) {
			this.lastMarker = line.substring(line.indexOf("monitor-marker:"), line.lastIndexOf('"'));
			return;
		}
		this.counts.merge(command, 1L, Long::sum);
	}

	/**
	 * Returns the commands clients sent since the last call, by name, once the monitor has
	 * seen every command the server ran before this call.
	 * @return the counts
	 */
	public Map<String, Long> take() {
		String marker = "monitor-marker:" + UUID.randomUUID();
		try (TestRedis client = new TestRedis(this.port)) {
			client.commands().echo(marker.getBytes(StandardCharsets.US_ASCII));
		}
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> marker.equals(lastMarker()));
		synchronized (this) {
			Map<String, Long> taken = new TreeMap<>(this.counts);
			this.counts.clear();
			taken.remove("hello");
			taken.remove("client");
			return taken;
		}
	}

	private synchronized String lastMarker() {
		return this.lastMarker;
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
