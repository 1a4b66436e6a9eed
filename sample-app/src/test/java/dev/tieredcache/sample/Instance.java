package dev.tieredcache.sample;

import java.util.List;

import org.springframework.context.ApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.client.RestTestClient;

/**
 * One running instance of the sample, seen as its users see it (over HTTP) and as the
 * tests need to (how often it queried its database).
 */
final class Instance {

	private final RestTestClient http;

	private final DatabaseQueries queries;

	Instance(ApplicationContext context) {
		Environment environment = context.getEnvironment();
		this.http = RestTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + environment.getRequiredProperty("local.server.port"))
			.build();
		this.queries = context.getBean(DatabaseQueries.class);
	}

	RestTestClient http() {
		return this.http;
	}

	/** Returns how many times this instance ran the named database access. */
	long queries(String name) {
		return this.queries.count(name);
	}

	User user(long id) {
		return get("/users/" + id, User.class);
	}

	List<User> users(String ids) {
		return List.of(get("/users?ids=" + ids, User[].class));
	}

	Team team(long id) {
		return get("/teams/" + id, Team.class);
	}

	TeamMembers members(long teamId) {
		return get("/teams/" + teamId + "/members", TeamMembers.class);
	}

	Dashboard dashboard(long userId) {
		return get("/users/" + userId + "/dashboard", Dashboard.class);
	}

	HttpStatus status(String path) {
		return HttpStatus.valueOf(this.http.get().uri(path).exchange().returnResult().getStatus().value());
	}

	HttpStatus putStatus(String path, Object body) {
		return HttpStatus.valueOf(this.http.put()
			.uri(path)
			.contentType(MediaType.APPLICATION_JSON)
			.body(body)
			.exchange()
			.returnResult()
			.getStatus()
			.value());
	}

	DirectoryController.Seen seen(long id) {
		return this.http.post()
			.uri("/users/" + id + "/seen")
			.exchange()
			.expectStatus()
			.isAccepted()
			.expectBody(DirectoryController.Seen.class)
			.returnResult()
			.getResponseBody();
	}

	User updateProfile(long id, String email, String bio) {
		return put("/users/" + id + "/profile", new ProfileUpdate(email, bio), User.class);
	}

	TeamChange moveUser(long id, long teamId) {
		return put("/users/" + id + "/team", new DirectoryController.TeamMove(teamId), TeamChange.class);
	}

	Team renameTeam(long id, String name) {
		return put("/teams/" + id, new DirectoryController.TeamRename(name), Team.class);
	}

	private <T> T get(String path, Class<T> type) {
		return this.http.get().uri(path).exchange().expectStatus().isOk().expectBody(type).returnResult()
			.getResponseBody();
	}

	private <T> T put(String path, Object body, Class<T> type) {
		return this.http.put()
			.uri(path)
			.contentType(MediaType.APPLICATION_JSON)
			.body(body)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(type)
			.returnResult()
			.getResponseBody();
	}

}
