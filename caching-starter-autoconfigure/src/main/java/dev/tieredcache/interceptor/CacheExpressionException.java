package dev.tieredcache.interceptor;

/**
 * A cache expression that could not be evaluated for one call; the message names the
 * method and the expression. The call still goes to the method, uncached.
 */
public class CacheExpressionException extends RuntimeException {

	CacheExpressionException(String message, Throwable cause) {
		super(message, cause);
	}

}
