package dev.tieredcache.sample;

/**
 * A user, as stored in the {@code users} table.
 *
 * @param id the user's id
 * @param teamId the team the user belongs to
 * @param name the user's name
 * @param email the user's email address, part of the editable profile
 * @param bio a few words about the user, part of the editable profile
 */
public record User(long id, long teamId, String name, String email, String bio) {

}
