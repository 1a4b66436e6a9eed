package dev.tieredcache.cache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;

import org.jspecify.annotations.Nullable;

/**
 * The loads of one {@link TieredCache} under way in this JVM, one future per encoded key,
 * shared by single reads ({@link ReadThrough}) and batch reads
 * ({@code dev.tieredcache.batch}): whoever claims a key first loads it (or reads it from
 * Redis, or waits for another instance), and every other caller of this JVM asking for the
 * key meanwhile, single or batch, joins its future and gets its outcome, value or exception.
 *
 * <p>A claimer must finish every key it claimed: {@link #finish}, {@link #fail} or
 * {@link #abandon}; joiners of an abandoned key claim it again. Thread-safe.
 */
public final class InFlightLoads {

	private final ConcurrentMap<String, CompletableFuture<Object>> loads = new ConcurrentHashMap<>();

	InFlightLoads() {
	}

	/**
	 * Claims a key.
	 * @param key the encoded key
	 * @param mine a new future, completed by this caller once it has the key's value
	 * @return null if this caller now holds the key; otherwise the holder's future, to join
	 */
	public @Nullable CompletableFuture<Object> claim(String key, CompletableFuture<Object> mine) {
		return this.loads.putIfAbsent(key, mine);
	}

	/**
	 * Hands a claimed key's value to its joiners and releases the claim.
	 * @param key the encoded key
	 * @param mine the claimer's future
	 * @param value the value (null for none)
	 */
	public void finish(String key, CompletableFuture<Object> mine, @Nullable Object value) {
		this.loads.remove(key, mine);
		mine.complete(value);
	}

	/**
	 * Hands a claimed key's failure to its joiners and releases the claim.
	 * @param key the encoded key
	 * @param mine the claimer's future
	 * @param failure what the loader threw
	 */
	public void fail(String key, CompletableFuture<Object> mine, Throwable failure) {
		this.loads.remove(key, mine);
		mine.completeExceptionally(failure);
	}

	/**
	 * Releases a claim without an outcome (the claimer was interrupted): its joiners claim
	 * the key again rather than share the claimer's own interruption.
	 * @param key the encoded key
	 * @param mine the claimer's future
	 */
	public void abandon(String key, CompletableFuture<Object> mine) {
		this.loads.remove(key, mine);
		mine.completeExceptionally(Abandoned.INSTANCE);
	}

	/**
	 * Waits for another caller's outcome of a key.
	 * @param holder the holder's future
	 * @return the value
	 * @throws Abandoned if the holder gave up: claim the key again
	 * @throws LoadWaitInterruptedException if this thread is interrupted, with its flag set
	 * @throws Throwable what the holder's loader threw
	 */
	public static @Nullable Object join(CompletableFuture<Object> holder) throws Throwable {
		try {
			return holder.get();
		}
		catch (ExecutionException ex) {
			throw ex.getCause();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new LoadWaitInterruptedException(ex);
		}
	}

	/**
	 * Whether a failure comes from this thread's own interruption (its flag is set, or the
	 * loader reacted to it and cleared it), which the callers who joined must not share.
	 * @param failure what the claimer's load threw
	 * @return whether to {@link #abandon} the claim rather than {@link #fail} it
	 */
	public static boolean isOwnInterruption(Throwable failure) {
		if (Thread.currentThread().isInterrupted()) {
			return true;
		}
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof LoadWaitInterruptedException || cause instanceof InterruptedException
					|| cause instanceof java.nio.channels.ClosedByInterruptException
					// Not its subclasses: a SocketTimeoutException is the source's failure.
					|| cause.getClass() == java.io.InterruptedIOException.class) {
				return true;
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return false;
	}

	/** Tells the joiners of a key that its holder gave up and they should claim it again. */
	public static final class Abandoned extends RuntimeException {

		static final Abandoned INSTANCE = new Abandoned();

		private Abandoned() {
			super(null, null, false, false);
		}

	}

}
