package dev.tieredcache.cache;

/**
 * Thrown to a caller whose thread was interrupted while it waited for a load of the same
 * key (by another thread of this instance or by another instance). The thread's interrupt
 * flag is set again before this is thrown; other callers waiting for the same key are not
 * affected and go on waiting or load by themselves.
 */
public final class LoadWaitInterruptedException extends RuntimeException {

	LoadWaitInterruptedException(InterruptedException cause) {
		super("Interrupted while waiting for a cache load of the same key", cause);
	}

}
