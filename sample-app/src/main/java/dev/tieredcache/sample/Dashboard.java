package dev.tieredcache.sample;

import java.util.List;

/**
 * A user's dashboard: a view derived from several rows, costly enough to be worth caching.
 *
 * @param userId the user's id
 * @param name the user's name
 * @param teamId the user's team
 * @param teamName the name of the user's team
 * @param teammates the names of the other members of the team
 * @param computedAt when the dashboard was computed, to tell a fresh one from a cached one
 */
public record Dashboard(long userId, String name, long teamId, String teamName, List<String> teammates,
		String computedAt) {

}
