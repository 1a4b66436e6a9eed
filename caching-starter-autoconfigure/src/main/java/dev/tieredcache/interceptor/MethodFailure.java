package dev.tieredcache.interceptor;

/** Carries the method's own exception through the cache, to be rethrown unchanged. */
final class MethodFailure extends Exception {

	MethodFailure(Throwable cause) {
		super(null, cause, false, false);
	}

}
