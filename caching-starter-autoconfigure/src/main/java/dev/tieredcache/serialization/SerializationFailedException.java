package dev.tieredcache.serialization;

/**
 * Thrown when a value cannot be written to or read from its stored form. Its message
 * never contains the value.
 */
public class SerializationFailedException extends RuntimeException {

	public SerializationFailedException(String message, Throwable cause) {
		super(message, cause);
	}

	public SerializationFailedException(String message) {
		super(message);
	}

}
