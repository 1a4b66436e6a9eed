package dev.tieredcache.sample;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.tieredcache.sample.TeamMembers.Member;
import dev.tieredcache.writebehind.WriteBehindFlusher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The tour of the sample, end to end over HTTP against the running application: what each
 * request answers and how many times it made the application query its database. Each
 * subclass runs it on one database; each run has its own database (or schema) and its own
 * Redis key prefix, so that runs never see each other's data (and versions kept in the
 * shared Redis expire within minutes instead of days).
 *
 * <p>The tests share one application and one seeded database, so each works on its own
 * users and teams.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "sample.db-latency=20ms", "tiered-cache.versions.ttl=5m",
				// The test flushes the written-behind times itself.
				"tiered-cache.caches.last-seen.write-behind.flush-interval=1h" })
abstract class AbstractDirectoryTests {

	/**
	 * How long an invalidation may take to reach another instance: milliseconds usually,
	 * but CI machines are shared and slow.
	 */
	private static final Duration PROPAGATION = Duration.ofSeconds(5);

	@Autowired
	private ApplicationContext context;

	private Instance app;

	@DynamicPropertySource
	static void ownRedisKeys(DynamicPropertyRegistry registry) {
		String prefix = "tc-sample-test:" + UUID.randomUUID().toString().substring(0, 8) + ":";
		registry.add("tiered-cache.key-prefix", () -> prefix);
	}

	@BeforeEach
	void connect() {
		this.app = new Instance(this.context);
	}

	@Test
	void aUserIsReadFromTheDatabaseOnceAndThenFromTheCache() {
		long before = this.app.queries("user");
		User first = this.app.user(1);
		User second = this.app.user(1);
		assertThat(first).isEqualTo(new User(1, 1, "Alice", "alice@example.com", "Runs the build farm"));
		assertThat(second).isEqualTo(first);
		assertThat(this.app.queries("user")).isEqualTo(before + 1);
	}

	@Test
	void lastSeenTimesAreWrittenBehindAndCoalescedIntoOneBatchUpdate() {
		LastSeenService lastSeen = this.context.getBean(LastSeenService.class);
		long batches = this.app.queries("last-seen");
		long rows = lastSeen.rowsUpdated();
		Instant[] latest = new Instant[4];
		for (int i = 0; i < 40; i++) {
			latest[i % 4] = this.app.seen(7 + i % 4).seen();
		}
		assertThat(this.app.queries("last-seen")).as("the POSTs did not touch the database").isEqualTo(batches);
		assertThat(lastSeen.storedLastSeen(7)).isNull();

		this.context.getBean(WriteBehindFlusher.class).flushDue("last-seen");
		assertThat(this.app.queries("last-seen")).as("40 POSTs, one batch UPDATE").isEqualTo(batches + 1);
		assertThat(lastSeen.rowsUpdated() - rows).as("one row per user, with its last time").isEqualTo(4);
		for (int k = 0; k < 4; k++) {
			assertThat(lastSeen.storedLastSeen(7 + k)).isEqualTo(latest[k]);
		}
	}

	@Test
	void aMissingUserIsCachedAsMissing() {
		long before = this.app.queries("user");
		assertThat(this.app.status("/users/999")).isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(this.app.status("/users/999")).isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(this.app.queries("user")).isEqualTo(before + 1);
	}

	@Test
	void aListOfUsersCostsOneQueryForTheIdsNoCacheTierHolds() {
		this.app.user(6);
		long lists = this.app.queries("users");
		long singles = this.app.queries("user");
		assertThat(this.app.users("10,6,997")).extracting(User::id).containsExactly(10L, 6L);
		assertThat(this.app.queries("users")).as("one query, for 10 and 997").isEqualTo(lists + 1);
		assertThat(this.app.users("6,7,10,997")).extracting(User::id).containsExactly(6L, 7L, 10L);
		assertThat(this.app.queries("users")).as("one query, for 7 only").isEqualTo(lists + 2);
		assertThat(this.app.users("7,10,6,997")).extracting(User::id).containsExactly(7L, 10L, 6L);
		assertThat(this.app.user(7)).isEqualTo(this.app.users("7").get(0));
		assertThat(this.app.queries("users")).as("every user and the missing id are cached").isEqualTo(lists + 2);
		assertThat(this.app.queries("user")).as("a single read finds the list's entry").isEqualTo(singles);
	}

	@Test
	void anUpdatedProfileIsReadBackFreshFromTheCache() {
		assertThat(this.app.user(2).email()).isEqualTo("bob@example.com");
		User updated = this.app.updateProfile(2, "bob@ops.example", "Keeps the lights on, now at night");
		assertThat(updated).isEqualTo(new User(2, 1, "Bob", "bob@ops.example", "Keeps the lights on, now at night"));
		long before = this.app.queries("user");
		assertThat(this.app.user(2)).isEqualTo(updated);
		assertThat(this.app.queries("user")).as("the update wrote the new value through").isEqualTo(before);
	}

	@Test
	void updatingTheProfileOfAMissingUserIsNotFound() {
		assertThat(this.app.putStatus("/users/998/profile", new ProfileUpdate("nobody@example.com", "nobody")))
			.isEqualTo(HttpStatus.NOT_FOUND);
	}

	@Test
	void movingAUserRefreshesBothMemberListsTheUserAndTheDashboard() {
		assertThat(this.app.members(2).members()).extracting(Member::id).containsExactly(3L, 4L);
		assertThat(this.app.members(3).members()).extracting(Member::id).containsExactly(5L);
		assertThat(this.app.user(3).teamId()).isEqualTo(2);
		assertThat(this.app.dashboard(3).teamName()).isEqualTo("Payments");
		long members = this.app.queries("members");
		long users = this.app.queries("user");
		long dashboards = this.app.queries("dashboard");

		assertThat(this.app.moveUser(3, 3)).isEqualTo(new TeamChange(3, 2, 3));

		assertThat(this.app.members(2).members()).extracting(Member::id).containsExactly(4L);
		assertThat(this.app.members(3).members()).extracting(Member::id).containsExactly(3L, 5L);
		assertThat(this.app.user(3).teamId()).isEqualTo(3);
		Dashboard dashboard = this.app.dashboard(3);
		assertThat(dashboard.teamName()).isEqualTo("Search");
		assertThat(dashboard.teammates()).containsExactly("Erin");
		assertThat(this.app.queries("members")).isEqualTo(members + 2);
		assertThat(this.app.queries("user")).isEqualTo(users + 1);
		assertThat(this.app.queries("dashboard")).isEqualTo(dashboards + 1);

		this.app.members(2);
		this.app.members(3);
		this.app.user(3);
		this.app.dashboard(3);
		assertThat(this.app.queries("members")).as("the new lists are cached").isEqualTo(members + 2);
		assertThat(this.app.queries("user")).isEqualTo(users + 1);
		assertThat(this.app.queries("dashboard")).isEqualTo(dashboards + 1);
	}

	@Test
	void movingAUserToATeamThatDoesNotExistIsRefused() {
		long before = this.app.queries("user");
		User judy = this.app.user(10);
		assertThat(this.app.putStatus("/users/10/team", new DirectoryController.TeamMove(77)))
			.isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(this.app.user(10)).as("nothing was invalidated").isEqualTo(judy);
		assertThat(this.app.queries("user")).isEqualTo(before + 1);
	}

	@Test
	void renamingATeamEvictsItAndRefreshesItsListAndEveryDashboard() {
		long teams = this.app.queries("team");
		assertThat(this.app.team(4).name()).isEqualTo("Mobile");
		assertThat(this.app.team(4).name()).isEqualTo("Mobile");
		assertThat(this.app.queries("team")).as("plain @Cacheable caches too").isEqualTo(teams + 1);
		Dashboard frank = this.app.dashboard(6);
		assertThat(this.app.dashboard(7).teamName()).isEqualTo("Mobile");
		assertThat(this.app.members(4).teamName()).isEqualTo("Mobile");
		assertThat(this.app.dashboard(6)).as("cached").isEqualTo(frank);
		long dashboards = this.app.queries("dashboard");

		this.app.renameTeam(4, "Apps");

		assertThat(this.app.team(4).name()).isEqualTo("Apps");
		assertThat(this.app.queries("team")).isEqualTo(teams + 2);
		assertThat(this.app.members(4).teamName()).isEqualTo("Apps");
		assertThat(this.app.dashboard(6).teamName()).isEqualTo("Apps");
		assertThat(this.app.dashboard(7).teamName()).isEqualTo("Apps");
		assertThat(this.app.queries("dashboard")).isEqualTo(dashboards + 2);
	}

	@Test
	void actuatorShowsHealthCachesAndMetrics() {
		this.app.user(5);
		this.app.http()
			.get()
			.uri("/actuator/health")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status").isEqualTo("UP")
			.jsonPath("$.components.db.status").isEqualTo("UP")
			.jsonPath("$.components.redis").doesNotExist()
			.jsonPath("$.components.tieredCache.status").isEqualTo("UP")
			.jsonPath("$.components.tieredCache.details.circuit").isEqualTo("closed");
		this.app.http()
			.get()
			.uri("/actuator/caches")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.cacheManagers.cacheManager.caches.users").exists()
			.jsonPath("$.cacheManagers.cacheManager.caches.teams").exists()
			.jsonPath("$.cacheManagers.cacheManager.caches.members").exists()
			.jsonPath("$.cacheManagers.cacheManager.caches.dashboards").exists();
		String prometheus = this.app.http()
			.get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(prometheus).contains("sample_db_queries_total{query=\"user\"}")
			.contains("tiered_cache_gets_total{cache=\"users\",result=\"hit\",tier=\"l1\"}")
			.contains("tiered_cache_loads_seconds_count{cache=\"users\",result=\"success\"}")
			// The observations of loads and Redis reads, timed by Spring Boot's meter handler.
			.containsPattern("tiered_cache_load_seconds_count\\{cache=\"users\",[^}]*outcome=\"success\"")
			.containsPattern("tiered_cache_l2_read_seconds_count\\{cache=\"users\",[^}]*outcome=\"(hit|miss)\"");
		this.app.http()
			.get()
			.uri("/actuator/tieredcache")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.caches.users").exists();
	}

	@Test
	void anUpdateOnOneInstanceIsNotServedStaleByTheOther() {
		try (ConfigurableApplicationContext secondContext = startSecondInstance()) {
			Instance first = this.app;
			Instance second = new Instance(secondContext);

			// @WriteThrough: the other instance reads the new value from Redis, without a query.
			assertThat(first.user(8).email()).isEqualTo("heidi@example.com");
			assertThat(second.user(8).email()).isEqualTo("heidi@example.com");
			long secondUserQueries = second.queries("user");
			first.updateProfile(8, "heidi@data.example", "Builds streams");
			await().atMost(PROPAGATION)
				.untilAsserted(() -> assertThat(second.user(8).email()).isEqualTo("heidi@data.example"));
			assertThat(second.queries("user")).isEqualTo(secondUserQueries);

			// @InvalidateTags: the member lists, the user and the dashboard go everywhere.
			assertThat(second.members(5).members()).extracting(Member::id).containsExactly(8L, 9L);
			assertThat(second.members(6).members()).extracting(Member::id).containsExactly(10L);
			assertThat(second.user(9).teamId()).isEqualTo(5);
			assertThat(second.dashboard(9).teamName()).isEqualTo("Data");
			first.moveUser(9, 6);
			await().atMost(PROPAGATION).untilAsserted(() -> {
				assertThat(second.members(5).members()).extracting(Member::id).containsExactly(8L);
				assertThat(second.members(6).members()).extracting(Member::id).containsExactly(9L, 10L);
				assertThat(second.user(9).teamId()).isEqualTo(6);
				assertThat(second.dashboard(9).teamName()).isEqualTo("Security");
			});

			// @VersionedGroup and plain @CacheEvict: a rename on the second reaches the first.
			assertThat(first.dashboard(8).teamName()).isEqualTo("Data");
			assertThat(first.team(5).name()).isEqualTo("Data");
			second.renameTeam(5, "Analytics");
			await().atMost(PROPAGATION).untilAsserted(() -> {
				assertThat(first.dashboard(8).teamName()).isEqualTo("Analytics");
				assertThat(first.team(5).name()).isEqualTo("Analytics");
			});
		}
	}

	/**
	 * Starts another instance of the application on a random port, with this one's database
	 * and Redis key prefix, as a second instance of a service in front of one database.
	 * The settings are passed as command-line arguments: they must win over
	 * {@code application.yml}, as they would on a real command line.
	 */
	private ConfigurableApplicationContext startSecondInstance() {
		Environment environment = this.context.getEnvironment();
		return new SpringApplicationBuilder(SampleApplication.class).profiles(environment.getActiveProfiles())
			.run("--server.port=0", argument(environment, "spring.datasource.url"),
					argument(environment, "tiered-cache.key-prefix"), argument(environment, "sample.db-latency"),
					argument(environment, "tiered-cache.versions.ttl"));
	}

	private static String argument(Environment environment, String name) {
		return "--" + name + "=" + environment.getRequiredProperty(name);
	}

}
