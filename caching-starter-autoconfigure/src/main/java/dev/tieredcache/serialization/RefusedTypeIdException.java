package dev.tieredcache.serialization;

/**
 * Raised while a value is written, from inside Jackson, when one of the classes in it is
 * outside the allow-list; {@link AllowListJsonSerializer} turns it into a
 * {@link DisallowedClassException}.
 */
final class RefusedTypeIdException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final String className;

	RefusedTypeIdException(String className) {
		super("Class outside the allow-list: " + className, null, false, false);
		this.className = className;
	}

	String className() {
		return this.className;
	}

}
