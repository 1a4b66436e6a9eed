package dev.tieredcache.serialization;

import org.jspecify.annotations.Nullable;

/**
 * Turns cached values into bytes and back. Implementations must never instantiate a class
 * the application did not allow.
 */
public interface ValueSerializer {

	/**
	 * Serializes a value.
	 * @param value the value, not null
	 * @return its bytes
	 * @throws SerializationFailedException if the value cannot be serialized
	 */
	byte[] serialize(Object value);

	/**
	 * Reads a value back.
	 * @param bytes what {@link #serialize} wrote
	 * @return the value
	 * @throws SerializationFailedException if the bytes cannot be read or name a class
	 * that is not allowed
	 */
	@Nullable Object deserialize(byte[] bytes);

}
