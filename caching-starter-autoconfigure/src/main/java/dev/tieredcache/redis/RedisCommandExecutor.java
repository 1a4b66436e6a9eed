package dev.tieredcache.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Runs the starter's Redis commands on the application's own Lettuce connection (so every
 * {@code spring.data.redis.*} setting applies: credentials, ACL user, TLS, database,
 * cluster, sentinel), each bounded by {@code tiered-cache.redis.command-timeout} and
 * guarded by a {@link CircuitBreaker}.
 *
 * <p>A failed or timed-out command is counted, logged at WARN at most once every ten
 * seconds per operation (never with keys or values), and surfaces as
 * {@link RedisUnavailableException}. While the circuit is open, commands fail at once; one
 * background probe pings Redis every open duration and, when it answers, closes the
 * circuit and tells the {@linkplain #onReconnect listeners} (the caches clear their L1,
 * since they may have missed invalidations).
 */
public final class RedisCommandExecutor implements DisposableBean {

	private static final Log logger = LogFactory.getLog(RedisCommandExecutor.class);

	private static final long STARTUP_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

	private final LettuceConnectionFactory connectionFactory;

	private final long timeoutNanos;

	private final CircuitBreaker circuit;

	private final CoordinationStatistics statistics;

	private final RateLimitedLog warnings = new RateLimitedLog(logger, Duration.ofSeconds(10));

	private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();

	private final ScheduledExecutorService prober;

	private final ScheduledExecutorService housekeeping;

	private volatile RedisConnection connection;

	/** The probe thread while it restores state, the only one let through the open circuit. */
	private volatile Thread restoringThread;

	private volatile RedisClusterAsyncCommands<byte[], byte[]> commands;

	/**
	 * Creates an executor and connects, waiting at most five seconds (or the command timeout
	 * if longer): when Redis does not answer, the circuit starts open and the probe keeps trying in the background.
	 * @param connectionFactory the application's Lettuce connection factory
	 * @param commandTimeout the bound of every command
	 * @param circuit the circuit breaker
	 * @param statistics where errors are counted
	 */
	public RedisCommandExecutor(LettuceConnectionFactory connectionFactory, Duration commandTimeout,
			CircuitBreaker circuit, CoordinationStatistics statistics) {
		this.connectionFactory = connectionFactory;
		this.timeoutNanos = commandTimeout.toNanos();
		this.circuit = circuit;
		this.statistics = statistics;
		this.prober = Executors.newSingleThreadScheduledExecutor(new CustomizableThreadFactory("tiered-cache-probe-"));
		CustomizableThreadFactory housekeepingThreads = new CustomizableThreadFactory("tiered-cache-housekeeping-");
		housekeepingThreads.setDaemon(true);
		this.housekeeping = Executors.newScheduledThreadPool(2, housekeepingThreads);
		startUp();
	}

	private void startUp() {
		CompletableFuture<Boolean> connected = CompletableFuture.supplyAsync(this::connectAndPing, this.prober);
		boolean up;
		try {
			// Connecting costs more than a command (TLS, HELLO, a cold JVM); a refused
			// connection still fails at once.
			up = connected.get(Math.max(this.timeoutNanos, STARTUP_WAIT_NANOS), TimeUnit.NANOSECONDS);
		}
		catch (Exception ex) {
			up = false;
		}
		if (!up) {
			this.circuit.forceOpen();
			logger.warn("Redis does not answer at start-up: the tiered cache serves from L1 and the loaders, "
					+ "and keeps trying to reach Redis");
		}
		long period = this.circuit.openDuration().toMillis();
		this.prober.scheduleWithFixedDelay(this::probe, period, period, TimeUnit.MILLISECONDS);
	}

	/**
	 * Registers a listener called, on the probe thread, when Redis answers again after the
	 * circuit was open, before the circuit closes; its commands go through.
	 * @param listener the listener
	 */
	public void onReconnect(Runnable listener) {
		this.reconnectListeners.add(listener);
	}

	/**
	 * Runs a housekeeping task periodically until the executor is destroyed: retrying
	 * changes that could not reach Redis, heartbeats, checks for lost messages. Two threads
	 * run them, so a replay waiting on a failing cluster master does not hold back the
	 * heartbeats. While the circuit is open, their commands fail at once. A task's failure
	 * is logged at DEBUG and does not stop later runs.
	 * @param period the period
	 * @param task the task
	 * @return the scheduled task, to cancel one that has a shorter life than the executor
	 */
	public ScheduledFuture<?> schedule(Duration period, Runnable task) {
		long millis = period.toMillis();
		return this.housekeeping.scheduleWithFixedDelay(() -> {
			try {
				task.run();
			}
			catch (RuntimeException ex) {
				logger.debug("A tiered-cache housekeeping task failed", ex);
			}
		}, millis, millis, TimeUnit.MILLISECONDS);
	}

	/** Returns the circuit breaker guarding Redis. */
	public CircuitBreaker circuit() {
		return this.circuit;
	}

	/** Returns the shared counters of Redis errors and invalidations. */
	public CoordinationStatistics statistics() {
		return this.statistics;
	}

	/**
	 * Runs a command and waits for its result at most the command timeout.
	 * @param <T> the result type
	 * @param operation the operation's name, for errors and metrics
	 * @param command issues the command on the async API
	 * @return the result
	 * @throws RedisUnavailableException if the circuit is open or the command failed
	 */
	public <T> T execute(String operation,
			Function<RedisClusterAsyncCommands<byte[], byte[]>, ? extends CompletionStage<T>> command) {
		if (this.circuit.isOpen() && Thread.currentThread() != this.restoringThread) {
			throw RedisUnavailableException.CIRCUIT_OPEN;
		}
		RedisClusterAsyncCommands<byte[], byte[]> async = this.commands;
		if (async == null) {
			throw failed(operation, new IllegalStateException("not connected"));
		}
		CompletableFuture<T> future = null;
		try {
			future = command.apply(async).toCompletableFuture();
			T result = future.get(this.timeoutNanos, TimeUnit.NANOSECONDS);
			this.circuit.recordSuccess();
			return result;
		}
		catch (InterruptedException ex) {
			// The caller gave up, not Redis: no failure is counted, so interrupting many
			// threads (a pool shut down, requests cancelled) cannot open the circuit.
			Thread.currentThread().interrupt();
			// As on a timeout: a command Lettuce still buffers is then never sent late.
			if (future != null) {
				future.cancel(false);
			}
			throw new RedisUnavailableException("Redis operation '" + operation + "' interrupted", ex);
		}
		catch (ExecutionException ex) {
			throw failed(operation, ex.getCause());
		}
		catch (TimeoutException ex) {
			// A command Lettuce still buffers (Redis unreachable, reconnecting) would otherwise
			// be sent after reconnection, possibly after newer writes of other instances:
			// cancelled, it is never written.
			future.cancel(false);
			throw failed(operation, ex);
		}
		catch (RuntimeException ex) {
			throw failed(operation, ex);
		}
	}

	/**
	 * Runs a script by its SHA-1, loading it with EVAL when the server does not know it.
	 * @param <T> the result type
	 * @param operation the operation's name, for errors and metrics
	 * @param script the script
	 * @param output the script's output type
	 * @param keys the keys, all in one hash slot
	 * @param args the arguments
	 * @return the result
	 * @throws RedisUnavailableException if the circuit is open or the command failed
	 */
	<T> T script(String operation, RedisScript script, ScriptOutputType output, byte[][] keys, byte[]... args) {
		return execute(operation, (redis) -> new ScriptCall<T>(redis, script, output, keys, args));
	}

	/**
	 * Runs one script several times, each call with its own keys and arguments, all sent at
	 * once (pipelined, to whichever nodes own their slots) and awaited together within one
	 * command timeout; cancelling on timeout cancels every call not yet answered.
	 * @param <T> the result type of each call
	 * @param operation the operation's name, for errors and metrics
	 * @param script the script
	 * @param output the script's output type
	 * @param keys the keys of each call, each call's keys in one hash slot
	 * @param args the arguments of each call
	 * @return the results, in the order of the calls
	 * @throws RedisUnavailableException if the circuit is open or any call failed
	 */
	<T> List<T> scripts(String operation, RedisScript script, ScriptOutputType output, List<byte[][]> keys,
			List<byte[][]> args) {
		return execute(operation, (redis) -> {
			List<ScriptCall<T>> calls = new java.util.ArrayList<>(keys.size());
			for (int i = 0; i < keys.size(); i++) {
				calls.add(new ScriptCall<>(redis, script, output, keys.get(i), args.get(i)));
			}
			return new AllCalls<>(calls);
		});
	}

	/** Whether the connection is to a Redis Cluster, where one script call must stay in one slot. */
	boolean isCluster() {
		return this.connectionFactory.isClusterAware();
	}

	/** Several script calls as one future; cancelling it cancels them all. */
	private static final class AllCalls<T> extends CompletableFuture<List<T>> {

		private final List<ScriptCall<T>> calls;

		AllCalls(List<ScriptCall<T>> calls) {
			this.calls = calls;
			CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0])).whenComplete((ignored, ex) -> {
				if (ex != null) {
					completeExceptionally(ScriptCall.unwrap(ex));
				}
				else {
					complete(calls.stream().map(CompletableFuture::join).toList());
				}
			});
		}

		@Override
		public boolean cancel(boolean mayInterruptIfRunning) {
			this.calls.forEach((call) -> call.cancel(mayInterruptIfRunning));
			return super.cancel(mayInterruptIfRunning);
		}

	}

	/**
	 * One script call: EVALSHA, then EVAL if the server does not know the script yet.
	 * Cancelling it cancels whichever of the two commands is under way.
	 */
	private static final class ScriptCall<T> extends CompletableFuture<T> {

		private volatile Future<?> current;

		ScriptCall(RedisClusterAsyncCommands<byte[], byte[]> redis, RedisScript script, ScriptOutputType output,
				byte[][] keys, byte[][] args) {
			CompletableFuture<T> sha = redis.<T>evalsha(script.sha1(), output, keys, args).toCompletableFuture();
			this.current = sha;
			sha.whenComplete((value, ex) -> {
				if (ex == null) {
					complete(value);
				}
				else if (unwrap(ex) instanceof RedisNoScriptException && !isDone()) {
					CompletableFuture<T> eval = redis.<T>eval(script.source(), output, keys, args).toCompletableFuture();
					this.current = eval;
					eval.whenComplete((evalValue, evalEx) -> {
						if (evalEx == null) {
							complete(evalValue);
						}
						else {
							completeExceptionally(unwrap(evalEx));
						}
					});
				}
				else {
					completeExceptionally(unwrap(ex));
				}
			});
		}

		private static Throwable unwrap(Throwable ex) {
			return (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
		}

		@Override
		public boolean cancel(boolean mayInterruptIfRunning) {
			this.current.cancel(mayInterruptIfRunning);
			return super.cancel(mayInterruptIfRunning);
		}

	}

	private RedisUnavailableException failed(String operation, Throwable cause) {
		this.statistics.redisError(operation);
		boolean opened = this.circuit.recordFailure();
		String reason = describe(cause);
		if (opened) {
			logger.warn("Redis failed repeatedly (last: " + operation + ", " + reason + "): the circuit is open, "
					+ "L2 is skipped until Redis answers again");
		}
		else {
			this.warnings.warn(operation, () -> "Redis operation '" + operation + "' failed (" + reason
					+ "); the caller falls back to L1 and the loader");
		}
		return new RedisUnavailableException("Redis operation '" + operation + "' failed", cause);
	}

	/**
	 * Names a failure for the log: its type and, for Redis's own errors, their message,
	 * which carry the error code ({@code NOSCRIPT}, {@code NOPERM}, {@code READONLY}, ...)
	 * and never a key or a value.
	 */
	private static String describe(Throwable cause) {
		if (cause == null) {
			return "unknown";
		}
		String type = cause.getClass().getSimpleName();
		if (cause instanceof io.lettuce.core.RedisException && cause.getMessage() != null) {
			String message = cause.getMessage();
			return type + ": " + ((message.length() > 120) ? message.substring(0, 120) + "..." : message);
		}
		return type;
	}

	private boolean connectAndPing() {
		try {
			if (this.commands == null) {
				RedisConnection redis = this.connectionFactory.isClusterAware()
						? this.connectionFactory.getClusterConnection() : this.connectionFactory.getConnection();
				@SuppressWarnings("unchecked")
				RedisClusterAsyncCommands<byte[], byte[]> nativeCommands = (RedisClusterAsyncCommands<byte[], byte[]>) redis
					.getNativeConnection();
				this.connection = redis;
				this.commands = nativeCommands;
			}
			String pong = this.commands.ping().get(Math.max(this.timeoutNanos, STARTUP_WAIT_NANOS), TimeUnit.NANOSECONDS);
			return "PONG".equalsIgnoreCase(pong);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		catch (Exception ex) {
			logger.debug("Redis probe failed", ex);
			return false;
		}
	}

	/**
	 * Pings Redis while the circuit is open; when it answers, lets the reconnect listeners
	 * restore state (replay what could not be written, clear L1) through the still-open
	 * circuit, and only then closes it, so that no caller reads through a half-restored tier.
	 */
	private void probe() {
		if (!this.circuit.isOpen() || !connectAndPing()) {
			return;
		}
		this.restoringThread = Thread.currentThread();
		boolean restored = true;
		try {
			for (Runnable listener : this.reconnectListeners) {
				try {
					listener.run();
				}
				catch (RuntimeException ex) {
					// The circuit stays open; the next probe tries again.
					restored = false;
					this.warnings.warn("restore", () -> "Restoring the tiered cache after a Redis outage is not "
							+ "complete (" + ex.getMessage() + "); L2 stays skipped until it is");
				}
			}
		}
		finally {
			this.restoringThread = null;
		}
		if (restored && this.circuit.close()) {
			logger.warn("Redis answers again: L1 was cleared and the circuit is closed");
		}
	}

	@Override
	public void destroy() {
		this.housekeeping.shutdownNow();
		this.prober.shutdownNow();
		RedisConnection redis = this.connection;
		if (redis != null) {
			try {
				redis.close();
			}
			catch (RuntimeException ex) {
				logger.debug("Closing the Redis connection failed", ex);
			}
		}
	}

}
