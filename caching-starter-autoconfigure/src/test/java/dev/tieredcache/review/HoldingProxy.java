package dev.tieredcache.review;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of one Redis that can hold back what its clients send: the bytes
 * are read, kept, and forwarded once {@link #release()} is called, as a congested or
 * briefly partitioned network delivers them late. The connections stay open throughout.
 */
final class HoldingProxy implements AutoCloseable {

	private final ServerSocket server;

	private final int target;

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private final Object gate = new Object();

	private volatile boolean held;

	HoldingProxy(int target) throws IOException {
		this.target = target;
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		Thread acceptor = new Thread(this::accept, "holding-proxy-accept");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	int port() {
		return this.server.getLocalPort();
	}

	/** From now on, client bytes are kept instead of forwarded. */
	void hold() {
		this.held = true;
	}

	/** Forwards what was kept, in order, and everything after it. */
	void release() {
		synchronized (this.gate) {
			this.held = false;
			this.gate.notifyAll();
		}
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket client = this.server.accept();
				Socket upstream = new Socket(InetAddress.getLoopbackAddress(), this.target);
				client.setTcpNoDelay(true);
				upstream.setTcpNoDelay(true);
				this.sockets.add(client);
				this.sockets.add(upstream);
				pump(client.getInputStream(), upstream.getOutputStream(), true);
				pump(upstream.getInputStream(), client.getOutputStream(), false);
			}
			catch (IOException ex) {
				// Closed.
			}
		}
	}

	private void pump(InputStream in, OutputStream out, boolean gated) {
		Thread thread = new Thread(() -> {
			byte[] buffer = new byte[65536];
			try {
				int n;
				while ((n = in.read(buffer)) >= 0) {
					if (gated) {
						synchronized (this.gate) {
							while (this.held) {
								this.gate.wait();
							}
						}
					}
					out.write(buffer, 0, n);
					out.flush();
				}
			}
			catch (IOException | InterruptedException ex) {
				// Connection closed.
			}
		}, "holding-proxy-pump");
		thread.setDaemon(true);
		thread.start();
	}

	@Override
	public void close() throws IOException {
		release();
		this.server.close();
		for (Socket socket : this.sockets) {
			socket.close();
		}
	}

}
