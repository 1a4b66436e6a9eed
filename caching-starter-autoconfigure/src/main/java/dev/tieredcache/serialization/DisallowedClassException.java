package dev.tieredcache.serialization;

/**
 * Thrown when a value to be written holds an instance of a class that the allow-list
 * would refuse to read back: storing it would only leave behind an entry no instance can
 * read, so it is kept out of Redis instead. The message names the class and the property
 * to change, never the value.
 */
public class DisallowedClassException extends SerializationFailedException {

	private static final long serialVersionUID = 1L;

	private final String className;

	private final boolean firstForItsClass;

	/**
	 * Creates the exception.
	 * @param className the class outside the allow-list
	 * @param firstForItsClass whether the serializer refuses this class for the first time
	 */
	public DisallowedClassException(String className, boolean firstForItsClass) {
		super("Values holding class " + className + " are kept out of Redis: the class is not in "
				+ "tiered-cache.serialization.allowed-packages, so no instance could read them back; add its "
				+ "package to that property to share them through Redis");
		this.className = className;
		this.firstForItsClass = firstForItsClass;
	}

	/** Returns the name of the class outside the allow-list. */
	public String getClassName() {
		return this.className;
	}

	/**
	 * Whether this is the first time the serializer refuses this class, so that it is
	 * reported once rather than on every write.
	 * @return whether it is the first time
	 */
	public boolean isFirstForItsClass() {
		return this.firstForItsClass;
	}

}
