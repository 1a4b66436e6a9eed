package dev.tieredcache.sample;

import java.util.List;
import java.util.Map;

import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.tieredcache.annotation.InvalidateTags;
import dev.tieredcache.annotation.ReadThrough;
import dev.tieredcache.annotation.ReadThroughAll;
import dev.tieredcache.annotation.VersionedGroup;
import dev.tieredcache.annotation.WriteThrough;

/**
 * The team directory, cached: each method shows one feature of the starter, and the
 * settings of each cache are in {@code application.yml}.
 *
 * <p>Tags used here: {@code user:<id>} is carried by everything derived from a user's row
 * (the user and the user's dashboard), {@code team:<id>} by everything derived from a
 * team's rows (its member list). The dashboards are also one versioned group,
 * {@code dashboards}.
 *
 * <p>The database is always written first. The cache advice runs outside
 * {@code @Transactional}, so cache updates and invalidations happen after the commit and
 * never for a transaction that rolled back.
 */
@Service
public class DirectoryService {

	private final DirectoryRepository repository;

	public DirectoryService(DirectoryRepository repository) {
		this.repository = repository;
	}

	/**
	 * Returns a user. A missing id is cached too ({@code null-ttl} of the {@code users}
	 * cache), so that repeated requests for it do not reach the database.
	 * @param id the user's id
	 * @return the user, or null if there is none
	 */
	@ReadThrough(cache = "users", key = "#id", tags = "'user:' + #id")
	public User user(long id) {
		return this.repository.findUser(id).orElse(null);
	}

	/**
	 * Returns several users with one database query for the ids no cache tier holds: each
	 * user is the same entry {@link #user(long)} reads and {@link #updateProfile} writes,
	 * with the same tag, so a single read, a write or an invalidation of one user applies
	 * to the lists too. Ids with no user are cached as missing, as in {@link #user(long)}.
	 * @param ids the users' ids
	 * @return the users found, by id, in the order asked
	 */
	@ReadThroughAll(cache = "users", tags = "'user:' + #key")
	public Map<Long, User> users(List<Long> ids) {
		return this.repository.findUsers(ids);
	}

	/**
	 * Returns a team, with plain Spring caching: the starter is the application's
	 * {@code CacheManager}, so {@code @Cacheable} gets both tiers too (without tags, groups
	 * or stampede protection across instances).
	 * @param id the team's id
	 * @return the team, or null if there is none
	 */
	@Cacheable(cacheNames = "teams", key = "#id")
	public Team team(long id) {
		return this.repository.findTeam(id).orElse(null);
	}

	/**
	 * Returns a team's member list, tagged with the team so that a move in or out of it
	 * drops the list on every instance.
	 * @param teamId the team's id
	 * @return the member list, or null if there is no such team
	 */
	@ReadThrough(cache = "members", key = "#teamId", tags = "'team:' + #teamId")
	public TeamMembers members(long teamId) {
		return this.repository.findMembers(teamId).orElse(null);
	}

	/**
	 * Returns a user's dashboard. It carries the user's tag, so that a change of team
	 * drops it, and lives in the {@code dashboards} group, so that a change every dashboard
	 * may show (a team's name) drops them all at once without knowing which exist.
	 * @param userId the user's id
	 * @return the dashboard, or null if there is no such user
	 */
	@ReadThrough(cache = "dashboards", key = "#userId", tags = "'user:' + #userId")
	@VersionedGroup("'dashboards'")
	public Dashboard dashboard(long userId) {
		return this.repository.computeDashboard(userId).orElse(null);
	}

	/**
	 * Updates a user's profile and writes the new value through to the cache, after the
	 * commit: the next read, on any instance, is a hit on the new value. The email and the
	 * bio appear in no other cached view, so nothing else needs to go.
	 * @param id the user's id
	 * @param profile the new profile
	 * @return the updated user, or null if there is no such user
	 */
	@Transactional
	@WriteThrough(cache = "users", key = "#id", tags = "'user:' + #id", unless = "#result == null")
	public User updateProfile(long id, ProfileUpdate profile) {
		if (!this.repository.updateProfile(id, profile)) {
			return null;
		}
		return this.repository.findUser(id).orElseThrow();
	}

	/**
	 * Moves a user to another team and, after the commit, invalidates the user (whose team
	 * changed), the user's dashboard (same tag) and the member lists of both teams.
	 * @param userId the user's id
	 * @param teamId the team to join
	 * @return what changed
	 * @throws NotFoundException if there is no such user
	 */
	@Transactional
	@InvalidateTags({ "'user:' + #userId", "'team:' + #result.fromTeam", "'team:' + #teamId" })
	public TeamChange moveUser(long userId, long teamId) {
		long from = this.repository.lockTeamOf(userId).orElseThrow(() -> new NotFoundException("user", userId));
		this.repository.changeTeam(userId, teamId);
		return new TeamChange(userId, from, teamId);
	}

	/**
	 * Renames a team. Its entry in the plain Spring cache is evicted, its member list
	 * (which shows its name) is invalidated by tag, and the dashboards group is bumped,
	 * since any member's dashboard shows the name.
	 * @param teamId the team's id
	 * @param name the new name
	 * @return the renamed team
	 * @throws NotFoundException if there is no such team
	 */
	@CacheEvict(cacheNames = "teams", key = "#teamId")
	@InvalidateTags("'team:' + #teamId")
	@VersionedGroup(value = "'dashboards'", bump = true)
	public Team renameTeam(long teamId, String name) {
		if (!this.repository.renameTeam(teamId, name)) {
			throw new NotFoundException("team", teamId);
		}
		return new Team(teamId, name);
	}

}
