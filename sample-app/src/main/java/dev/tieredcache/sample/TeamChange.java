package dev.tieredcache.sample;

/**
 * What moving a user to another team changed.
 *
 * @param userId the user who moved
 * @param fromTeam the team the user left
 * @param toTeam the team the user joined
 */
public record TeamChange(long userId, long fromTeam, long toTeam) {

}
