package dev.tieredcache.sample;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Plain JDBC access to the {@code teams} and {@code users} tables: the source of truth,
 * with no caching of its own. Every access goes through {@link DatabaseQueries}, which
 * counts it by the name given here (an access may take more than one statement, such as a
 * team and its members).
 */
@Repository
public class DirectoryRepository {

	private final JdbcClient jdbc;

	private final DatabaseQueries queries;

	public DirectoryRepository(JdbcClient jdbc, DatabaseQueries queries) {
		this.jdbc = jdbc;
		this.queries = queries;
	}

	public Optional<User> findUser(long id) {
		return this.queries.run("user",
				() -> this.jdbc.sql("SELECT id, team_id, name, email, bio FROM users WHERE id = ?")
					.param(id)
					.query(DirectoryRepository::user)
					.optional());
	}

	/**
	 * Reads several users in one statement.
	 * @param ids the ids
	 * @return the users found, by id; ids with no row are absent
	 */
	public java.util.Map<Long, User> findUsers(java.util.Collection<Long> ids) {
		return this.queries.run("users", () -> {
			java.util.Map<Long, User> users = new java.util.LinkedHashMap<>();
			this.jdbc.sql("SELECT id, team_id, name, email, bio FROM users WHERE id IN (:ids)")
				.param("ids", ids)
				.query(DirectoryRepository::user)
				.list()
				.forEach((user) -> users.put(user.id(), user));
			return users;
		});
	}

	public Optional<Team> findTeam(long id) {
		return this.queries.run("team",
				() -> this.jdbc.sql("SELECT id, name FROM teams WHERE id = ?").param(id).query(Team.class).optional());
	}

	public Optional<TeamMembers> findMembers(long teamId) {
		return this.queries.run("members", () -> this.jdbc.sql("SELECT id, name FROM teams WHERE id = ?")
			.param(teamId)
			.query(Team.class)
			.optional()
			.map((team) -> new TeamMembers(team.id(), team.name(),
					list(this.jdbc.sql("SELECT id, name FROM users WHERE team_id = ? ORDER BY id")
						.param(teamId)
						.query(TeamMembers.Member.class)
						.list()))));
	}

	public Optional<Dashboard> computeDashboard(long userId) {
		return this.queries.run("dashboard", () -> this.jdbc
			.sql("SELECT u.name, u.team_id, t.name AS team_name FROM users u JOIN teams t ON t.id = u.team_id "
					+ "WHERE u.id = ?")
			.param(userId)
			.query((rs, row) -> new Membership(rs.getString("name"), rs.getLong("team_id"), rs.getString("team_name")))
			.optional()
			.map((membership) -> new Dashboard(userId, membership.name(), membership.teamId(), membership.teamName(),
					teammates(membership.teamId(), userId), Instant.now().toString())));
	}

	private List<String> teammates(long teamId, long userId) {
		return list(this.jdbc.sql("SELECT name FROM users WHERE team_id = ? AND id <> ? ORDER BY id")
			.param(teamId)
			.param(userId)
			.query(String.class)
			.list());
	}

	/**
	 * Copies a list into an {@link ArrayList}: the cache records each value's class in
	 * Redis, and a plain {@code ArrayList} is one every instance can read back.
	 */
	private static <T> List<T> list(List<T> list) {
		return new ArrayList<>(list);
	}

	private static User user(ResultSet rs, int row) throws SQLException {
		return new User(rs.getLong("id"), rs.getLong("team_id"), rs.getString("name"), rs.getString("email"),
				rs.getString("bio"));
	}

	public boolean updateProfile(long id, ProfileUpdate profile) {
		return this.queries.run("update-profile",
				() -> this.jdbc.sql("UPDATE users SET email = ?, bio = ? WHERE id = ?")
					.param(profile.email())
					.param(profile.bio())
					.param(id)
					.update()) == 1;
	}

	/**
	 * Returns a user's team and locks the user's row until the end of the transaction, so
	 * that concurrent moves of one user are serialized.
	 * @param userId the user's id
	 * @return the user's team, empty if there is no such user
	 */
	public Optional<Long> lockTeamOf(long userId) {
		return this.queries.run("lock-user",
				() -> this.jdbc.sql("SELECT team_id FROM users WHERE id = ? FOR UPDATE")
					.param(userId)
					.query(Long.class)
					.optional());
	}

	public void changeTeam(long userId, long teamId) {
		this.queries.run("change-team",
				() -> this.jdbc.sql("UPDATE users SET team_id = ? WHERE id = ?").param(teamId).param(userId).update());
	}

	public boolean renameTeam(long teamId, String name) {
		return this.queries.run("rename-team",
				() -> this.jdbc.sql("UPDATE teams SET name = ? WHERE id = ?").param(name).param(teamId).update()) == 1;
	}

	/** A user's row joined with the user's team. */
	private record Membership(String name, long teamId, String teamName) {

	}

}
