package dev.tieredcache.sample;

/**
 * The editable part of a user's profile.
 *
 * @param email the new email address
 * @param bio the new bio
 */
public record ProfileUpdate(String email, String bio) {

}
