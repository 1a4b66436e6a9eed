package dev.tieredcache.sample;

import java.util.List;

/**
 * A team's member list.
 *
 * @param teamId the team's id
 * @param teamName the team's name
 * @param members the members, by id
 */
public record TeamMembers(long teamId, String teamName, List<Member> members) {

	/**
	 * One member of a team.
	 *
	 * @param id the user's id
	 * @param name the user's name
	 */
	public record Member(long id, String name) {

	}

}
