package dev.tieredcache.sample;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The REST API of the team directory.
 */
@RestController
public class DirectoryController {

	private final DirectoryService directory;

	private final LastSeenService lastSeen;

	public DirectoryController(DirectoryService directory, LastSeenService lastSeen) {
		this.directory = directory;
		this.lastSeen = lastSeen;
	}

	/**
	 * Records that a user was seen now; the time reaches the database later, written behind.
	 * @param id the user
	 * @return the recorded time
	 */
	@PostMapping("/users/{id}/seen")
	@ResponseStatus(HttpStatus.ACCEPTED)
	public Seen seen(@PathVariable long id) {
		// Microseconds: what a TIMESTAMP column keeps.
		Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
		this.lastSeen.seen(id, now);
		return new Seen(id, now);
	}

	@GetMapping("/users/{id}")
	public User user(@PathVariable long id) {
		return found(this.directory.user(id), "user", id);
	}

	/**
	 * Returns the users of a list of ids, in the order asked, leaving out ids with no user.
	 * @param ids the ids
	 * @return the users found
	 */
	@GetMapping(path = "/users", params = "ids")
	public List<User> users(@RequestParam List<Long> ids) {
		return List.copyOf(this.directory.users(ids).values());
	}

	@PutMapping("/users/{id}/profile")
	public User updateProfile(@PathVariable long id, @RequestBody ProfileUpdate profile) {
		return found(this.directory.updateProfile(id, profile), "user", id);
	}

	@PutMapping("/users/{id}/team")
	public TeamChange moveUser(@PathVariable long id, @RequestBody TeamMove move) {
		return this.directory.moveUser(id, move.teamId());
	}

	@GetMapping("/users/{id}/dashboard")
	public Dashboard dashboard(@PathVariable long id) {
		return found(this.directory.dashboard(id), "user", id);
	}

	@GetMapping("/teams/{id}")
	public Team team(@PathVariable long id) {
		return found(this.directory.team(id), "team", id);
	}

	@PutMapping("/teams/{id}")
	public Team renameTeam(@PathVariable long id, @RequestBody TeamRename rename) {
		return this.directory.renameTeam(id, rename.name());
	}

	@GetMapping("/teams/{id}/members")
	public TeamMembers members(@PathVariable long id) {
		return found(this.directory.members(id), "team", id);
	}

	@ExceptionHandler(DataIntegrityViolationException.class)
	@ResponseStatus(HttpStatus.BAD_REQUEST)
	public void rejected() {
		// A move to a team that does not exist: the foreign key refused it.
	}

	private static <T> T found(T value, String kind, long id) {
		if (value == null) {
			throw new NotFoundException(kind, id);
		}
		return value;
	}

	/**
	 * A recorded last-seen time.
	 *
	 * @param userId the user
	 * @param seen when
	 */
	public record Seen(long userId, Instant seen) {

	}

	/**
	 * Body of a move to another team.
	 *
	 * @param teamId the team to join
	 */
	public record TeamMove(long teamId) {

	}

	/**
	 * Body of a team's renaming.
	 *
	 * @param name the new name
	 */
	public record TeamRename(String name) {

	}

}
