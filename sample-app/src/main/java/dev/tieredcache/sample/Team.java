package dev.tieredcache.sample;

/**
 * A team, as stored in the {@code teams} table.
 *
 * @param id the team's id
 * @param name the team's name
 */
public record Team(long id, String name) {

}
