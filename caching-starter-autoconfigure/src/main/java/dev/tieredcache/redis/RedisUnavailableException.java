package dev.tieredcache.redis;

/**
 * Signals that a Redis operation did not happen: the circuit is open, the command timed out
 * or failed. Callers fall back to L1 and the loader; it never reaches the application.
 */
public final class RedisUnavailableException extends RuntimeException {

	static final RedisUnavailableException CIRCUIT_OPEN = new RedisUnavailableException("Redis circuit is open", null);

	RedisUnavailableException(String message, Throwable cause) {
		super(message, cause, false, false);
	}

	/**
	 * Whether the operation was not even tried because the circuit is open.
	 * @return whether Redis was skipped
	 */
	public boolean isCircuitOpen() {
		return this == CIRCUIT_OPEN;
	}

}
