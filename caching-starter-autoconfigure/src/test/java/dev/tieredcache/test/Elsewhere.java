package dev.tieredcache.test;

/**
 * A value of a package that is not the application's, in tests whose application package
 * is another one.
 *
 * @param name a name
 */
public record Elsewhere(String name) {
}
