package dev.tieredcache.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.init.ScriptUtils;

import dev.tieredcache.test.RedisServerProcess;
import dev.tieredcache.test.TestThreads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 14's crash test of write-behind: two processes of the sample app ({@link KillableSample},
 * started with {@code java}) share PostgreSQL (a schema of this run's own) and a
 * {@code redis-server} of this test's own. 10,000 writes of last-seen times over 500 users go
 * to both over HTTP, each user's writes in order with explicit versions (1 to 20). Then, when
 * process A starts a flush (seen through its HTTP probe), A is killed with SIGKILL while the
 * flush waits before its UPDATE; A's claims on that batch die with it. Process B must take
 * them over once their lease ({@code claim-after}, 3 s) runs out, and in the end:
 * <ul>
 * <li>the database holds version 20, the last write, of every user;</li>
 * <li>the audit of flushed versions (every (user, version) a committed flush sent, kept in
 * the flush's transaction) never goes backwards for any user;</li>
 * <li>the batch A was flushing when it died was rolled back, and B flushed its users no
 * sooner than their lease allowed;</li>
 * <li>nothing is pending in Redis and the dead-letter stream is empty.</li>
 * </ul>
 * The processes, the Redis server and the schema are removed whatever the outcome; the
 * processes' logs stay under {@code target/write-behind-kill/}.
 */
class WriteBehindKillTests {

	private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/test";

	private static final int USERS = 500;

	private static final int VERSIONS = 20;

	private static final int SENDERS = 8;

	private static final String PREFIX = "wbkill:";

	private static final Duration CLAIM_AFTER = Duration.ofSeconds(3);

	/** How long each flush waits before its UPDATE ({@code sample.db-latency}): the kill's window. */
	private static final Duration FLUSH_PAUSE = Duration.ofMillis(600);

	private final String schema = "wbkill_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

	private final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(2))
		.build();

	@Test
	@Timeout(value = 150, unit = TimeUnit.SECONDS)
	void aProcessKilledMidFlushLosesNoWriteAndNoUserGoesBackwards() throws Exception {
		List<Child> children = new ArrayList<>();
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			createSchema();
			Child a = new Child("a", redis.port());
			children.add(a);
			Child b = new Child("b", redis.port());
			children.add(b);
			a.awaitReady();
			b.awaitReady();

			AtomicInteger toA = new AtomicInteger();
			CompletableFuture<?>[] senders = new CompletableFuture<?>[SENDERS];
			for (int i = 0; i < SENDERS; i++) {
				int sender = i;
				senders[i] = CompletableFuture.runAsync(() -> send(sender, a, b, toA), TestThreads.EACH_ON_ITS_OWN);
			}
			CompletableFuture.allOf(senders).get(60, TimeUnit.SECONDS);
			assertThat(toA.get()).as("writes sent to A").isEqualTo(USERS * VERSIONS / 2);

			// Every write is acknowledged: wait for A's next flush to start, and kill A in its pause.
			long before = a.flushesStarted();
			String[] started = new String[1];
			await("a flush started on A").atMost(Duration.ofSeconds(20))
				.pollInterval(Duration.ofMillis(5))
				.until(() -> {
					started[0] = a.flushes();
					return Long.parseLong(started[0].split(" ")[0]) > before;
				});
			long detected = System.nanoTime();
			a.kill();
			long killMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - detected);
			Timestamp killedAt = query("SELECT clock_timestamp()", (rs) -> rs.getTimestamp(1));
			long startedOnA = Long.parseLong(started[0].split(" ")[0]);
			Long[] heldByA = Arrays.stream(started[0].split(" ")[1].split(",")).map(Long::valueOf)
				.toArray(Long[]::new);

			await("every user's last version in the database, nothing pending in Redis").atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(250))
				.until(() -> usersAtLastVersion() == USERS && pending(redis) == 0);
			long settledMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - detected);
			long committedByA = count("SELECT count(DISTINCT tx) FROM last_seen_audit WHERE app = 'wbkill-a'");
			System.out.printf("Write-behind kill: %d writes, A killed %d ms after its flush %d (%d users) was seen "
					+ "to start, all settled %d ms later; flushes committed by A %d, by B %d; %d audit rows%n",
					USERS * VERSIONS, killMillis, startedOnA, heldByA.length, settledMillis, committedByA,
					count("SELECT count(DISTINCT tx) FROM last_seen_audit WHERE app = 'wbkill-b'"),
					count("SELECT count(*) FROM last_seen_audit"));

			assertThat(deadLetters(redis)).as("dead letters").isZero();
			assertThat(count("SELECT count(*) FROM (SELECT version, lag(version) OVER (PARTITION BY user_id "
					+ "ORDER BY id) AS previous FROM last_seen_audit) flushed WHERE version < previous"))
				.as("flushes that sent a user an older version than an earlier committed flush had")
				.isZero();
			// The flush A was in when it died never committed: A started more flushes than it committed.
			assertThat(committedByA).as("flushes A committed, of %d it started", startedOnA).isLessThan(startedOnA);
			// B flushed the users A held, at their last version, once A's claims ran out: A claimed them
			// before the flush started, at most about a flush pause before the kill (0.5 s of slack).
			Timestamp leaseOver = new Timestamp(
					killedAt.getTime() + CLAIM_AFTER.toMillis() - FLUSH_PAUSE.toMillis() - 500);
			assertThat(count("SELECT count(DISTINCT user_id) FROM last_seen_audit WHERE app = 'wbkill-b' "
					+ "AND version = " + VERSIONS + " AND user_id = ANY (?) AND at >= ?", heldByA, leaseOver))
				.as("users of A's interrupted flush that B flushed at their last version after the lease")
				.isEqualTo(heldByA.length);
		}
		finally {
			children.forEach(Child::destroy);
			execute("DROP SCHEMA IF EXISTS " + this.schema + " CASCADE");
		}
	}

	/**
	 * Sends every version of a sender's users in order, each user's writes one after the
	 * other, alternately to A and B.
	 */
	private void send(int sender, Child a, Child b, AtomicInteger toA) {
		for (int version = 1; version <= VERSIONS; version++) {
			for (int user = 1 + sender; user <= USERS; user += SENDERS) {
				Child to = ((user + version) % 2 == 0) ? a : b;
				to.seen(user, version);
				if (to == a) {
					toA.incrementAndGet();
				}
			}
		}
	}

	private long usersAtLastVersion() throws SQLException {
		return count("SELECT count(*) FROM users WHERE extract(epoch FROM last_seen) = ?", KillableSample.BASE + VERSIONS);
	}

	/** Pending markers plus members of the pending index. */
	private static long pending(RedisServerProcess redis) throws IOException, InterruptedException {
		long count = keys(redis, PREFIX + "q:{*").size();
		for (String index : keys(redis, PREFIX + "pq:{*")) {
			count += Long.parseLong(redis.cli("ZCARD", index));
		}
		return count;
	}

	private static long deadLetters(RedisServerProcess redis) throws IOException, InterruptedException {
		long count = 0;
		for (String stream : keys(redis, PREFIX + "dl:{*")) {
			count += Long.parseLong(redis.cli("XLEN", stream));
		}
		return count;
	}

	private static List<String> keys(RedisServerProcess redis, String pattern) throws IOException, InterruptedException {
		String found = redis.cli("--scan", "--pattern", pattern);
		return found.isBlank() ? List.of() : List.of(found.split("\\R"));
	}

	private void createSchema() throws SQLException {
		execute("CREATE SCHEMA " + this.schema);
		try (Connection connection = connect()) {
			ScriptUtils.executeSqlScript(connection, new ClassPathResource("schema.sql"));
			try (Statement statement = connection.createStatement()) {
				statement.execute("INSERT INTO teams (id, name) VALUES (1, 'Crash test')");
				statement.execute("INSERT INTO users (id, team_id, name, email, bio) SELECT g, 1, 'user ' || g, "
						+ "'user' || g || '@example.com', '' FROM generate_series(1, " + USERS + ") g");
				statement.execute("CREATE TABLE last_seen_audit (id BIGSERIAL PRIMARY KEY, user_id BIGINT NOT NULL, "
						+ "version BIGINT NOT NULL, tx BIGINT NOT NULL, app TEXT NOT NULL, "
						+ "at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp())");
			}
		}
	}

	private Connection connect() throws SQLException {
		return DriverManager.getConnection(SERVER + "?currentSchema=" + this.schema, "postgres", "");
	}

	private long count(String sql, Object... parameters) throws SQLException {
		return query(sql, (rs) -> rs.getLong(1), parameters);
	}

	private <T> T query(String sql, ResultSetReader<T> reader, Object... parameters) throws SQLException {
		try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(sql)) {
			for (int i = 0; i < parameters.length; i++) {
				if (parameters[i] instanceof Long[] array) {
					statement.setArray(i + 1, connection.createArrayOf("bigint", array));
				}
				else {
					statement.setObject(i + 1, parameters[i]);
				}
			}
			try (ResultSet rs = statement.executeQuery()) {
				rs.next();
				return reader.read(rs);
			}
		}
	}

	private static void execute(String sql) throws SQLException {
		try (Connection connection = DriverManager.getConnection(SERVER, "postgres", "");
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	@FunctionalInterface
	private interface ResultSetReader<T> {

		T read(ResultSet rs) throws SQLException;

	}

	/** One process of the sample, started with {@code java} on this test's class path. */
	private final class Child {

		private final String name;

		private final int port;

		private final Path log;

		private final Process process;

		private final Thread reaper = new Thread(this::destroyNow);

		Child(String name, int redisPort) throws IOException {
			this.name = name;
			this.port = RedisServerProcess.freePort();
			Path dir = Files.createDirectories(Path.of("target", "write-behind-kill"));
			this.log = dir.resolve(WriteBehindKillTests.this.schema + "-" + name + ".log");
			String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
			String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
			List<String> command = List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
					classPath, KillableSample.class.getName(), "--spring.profiles.active=postgres",
					"--spring.main.allow-bean-definition-overriding=true", "--spring.main.banner-mode=off",
					"--spring.datasource.url=" + SERVER + "?currentSchema=" + WriteBehindKillTests.this.schema
							+ "&ApplicationName=wbkill-" + name,
					"--spring.datasource.hikari.maximum-pool-size=4", "--spring.sql.init.mode=never",
					"--spring.data.redis.port=" + redisPort, "--server.address=127.0.0.1", "--server.port=" + this.port,
					"--tiered-cache.key-prefix=" + PREFIX,
					"--tiered-cache.caches.last-seen.write-behind.claim-after=" + CLAIM_AFTER.toMillis() + "ms",
					"--tiered-cache.caches.last-seen.write-behind.flush-interval=250ms",
					"--tiered-cache.caches.last-seen.write-behind.batch-size=50",
					"--sample.db-latency=" + FLUSH_PAUSE.toMillis() + "ms");
			this.process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(this.log.toFile())
				.start();
			// Should the test's JVM itself be stopped, the process must not outlive it.
			Runtime.getRuntime().addShutdownHook(this.reaper);
		}

		void awaitReady() {
			await("process " + this.name + " answering (log: " + this.log + ")").atMost(Duration.ofSeconds(90))
				.pollInterval(Duration.ofMillis(200))
				.until(() -> {
					if (!this.process.isAlive()) {
						throw new IllegalStateException("process " + this.name + " exited: " + tail());
					}
					try {
						return get("/actuator/health").statusCode() == 200;
					}
					catch (IOException ex) {
						return false;
					}
				});
		}

		void seen(int user, int version) {
			try {
				HttpResponse<String> response = WriteBehindKillTests.this.http.send(
						HttpRequest.newBuilder(uri("/test/users/" + user + "/seen/" + version))
							.POST(HttpRequest.BodyPublishers.noBody())
							.timeout(Duration.ofSeconds(10))
							.build(),
						HttpResponse.BodyHandlers.ofString());
				assertThat(response.statusCode()).as("write to %s", this.name).isEqualTo(202);
			}
			catch (IOException ex) {
				throw new IllegalStateException("write to " + this.name + " failed", ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}

		/** "started users": how many flush calls started, and the users of the last one. */
		String flushes() throws IOException, InterruptedException {
			return get("/test/flushes").body();
		}

		long flushesStarted() throws IOException, InterruptedException {
			return Long.parseLong(flushes().split(" ")[0]);
		}

		/** {@code kill -9}: SIGKILL, what {@link Process#destroyForcibly()} sends on Linux. */
		void kill() throws InterruptedException {
			this.process.destroyForcibly();
			assertThat(this.process.waitFor(10, TimeUnit.SECONDS)).as("process %s killed", this.name).isTrue();
			assertThat(this.process.exitValue()).as("exit of a process killed by SIGKILL").isEqualTo(128 + 9);
		}

		void destroy() {
			destroyNow();
			try {
				Runtime.getRuntime().removeShutdownHook(this.reaper);
			}
			catch (IllegalStateException ex) {
				// Already shutting down: the hook runs anyway.
			}
		}

		private void destroyNow() {
			this.process.destroyForcibly();
			try {
				this.process.waitFor(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		private HttpResponse<String> get(String path) throws IOException, InterruptedException {
			return WriteBehindKillTests.this.http.send(
					HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(5)).build(),
					HttpResponse.BodyHandlers.ofString());
		}

		private URI uri(String path) {
			return URI.create("http://127.0.0.1:" + this.port + path);
		}

		private String tail() {
			try {
				List<String> lines = Files.readAllLines(this.log, StandardCharsets.UTF_8);
				return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
			}
			catch (IOException ex) {
				return "(no log)";
			}
		}

	}

}
