package dev.tieredcache.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Reads Redis's {@code MONITOR} stream to tell the commands clients sent (round trips) from
 * the commands Lua scripts ran inside the server, which {@code INFO commandstats} counts
 * alike. Only for a server of the benchmark's own: MONITOR sees every client.
 */
final class MonitorTap implements AutoCloseable {

	private final Socket socket;

	private final Thread reader;

	private final Map<String, Long> counts = new TreeMap<>();

	private String lastLine = "";

	MonitorTap(int port) throws IOException {
		this.socket = new Socket(Instances.HOST, port);
		OutputStream out = this.socket.getOutputStream();
		out.write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
		out.flush();
		BufferedReader in = new BufferedReader(
				new InputStreamReader(this.socket.getInputStream(), StandardCharsets.ISO_8859_1));
		this.reader = new Thread(() -> read(in), "monitor-tap");
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
		this.lastLine = line;
		int open = line.indexOf(" [");
		int close = line.indexOf("] \"", open);
		if (open < 0 || close < 0) {
			return;
		}
		boolean script = line.substring(open, close).contains("lua");
		int start = close + 3;
		int end = line.indexOf('"', start);
		String command = line.substring(start, end).toLowerCase();
		String key = (script ? "script:" : "client:") + command;
		this.counts.merge(key, 1L, Long::sum);
		notifyAll();
	}

	/** Returns and resets the counts: {@code client:<command>} and {@code script:<command>}. */
	synchronized Map<String, Long> drain() {
		Map<String, Long> copy = new TreeMap<>(this.counts);
		this.counts.clear();
		return copy;
	}

	/** Waits until a line containing the marker was read. */
	synchronized void awaitLine(String marker) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (!this.lastLine.contains(marker)) {
			long left = deadline - System.nanoTime();
			if (left <= 0) {
				throw new IllegalStateException("MONITOR did not show " + marker);
			}
			TimeUnit.NANOSECONDS.timedWait(this, left);
		}
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
