package dev.tieredcache.reliability;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.tieredcache.TieredCacheOperations;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.existence.ExistenceFilter;
import dev.tieredcache.existence.ExistenceFilters;
import dev.tieredcache.existence.ExistingKeys;
import dev.tieredcache.existence.Users;
import dev.tieredcache.interceptor.UserRepository;
import dev.tieredcache.interceptor.UserRepository.User;
import dev.tieredcache.redis.RedisCommandExecutor;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.RedisServerProcess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The starter uses Spring Boot's own Redis credentials and needs no more rights than its
 * prefix's keys, its channel and the commands docs/operations.md (Security) lists.
 */
class RedisAclTests {

	private static final String PREFIX = "acl-app:";

	@Test
	void worksWithAnAclUserLimitedToItsPrefixAndChannel() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start("--requirepass", "admin-secret")) {
			assertThat(createUser(redis)).isEqualTo("OK");
			ApplicationContextRunner runner = Instances.runner(redis.port(), PREFIX)
				.withPropertyValues("spring.data.redis.username=cache-app", "spring.data.redis.password=app-secret")
				.withUserConfiguration(RepositoryConfiguration.class);
			runner.run((a) -> runner.run((b) -> {
				assertThat(a.getBean(RedisCommandExecutor.class).circuit().isOpen()).isFalse();
				UserRepository repositoryA = a.getBean(UserRepository.class);
				UserRepository repositoryB = b.getBean(UserRepository.class);
				repositoryA.insert(new User(1, 10, "alice"));
				repositoryB.insert(new User(1, 10, "alice"));
				repositoryA.find(1);
				assertThat(repositoryB.find(1).name()).isEqualTo("alice");
				assertThat(repositoryB.finds()).as("read from Redis").hasValue(0);
				repositoryA.save(new User(1, 10, "alicia"));
				await().atMost(Duration.ofSeconds(1)).until(() -> repositoryB.find(1).name().equals("alicia"));
				a.getBean(TieredCacheOperations.class).invalidateTags("user:1");
				await().atMost(Duration.ofSeconds(1)).until(() -> {
					repositoryB.find(1);
					return repositoryB.finds().get() == 1;
				});
				TieredCache cache = a.getBean(TieredCacheManager.class).getCache("users");
				cache.clear();
				assertThat(cache.get(1L)).isNull();
				assertThat(a.getBean(TieredCacheManager.class).getCoordinationStatistics().redisErrors("write"))
					.isZero();
			}));
			String denied = redis.cli("--user", "cache-app", "--pass", "app-secret", "--no-auth-warning", "GET",
					"other:key");
			assertThat(denied).as("the user really is limited").contains("NOPERM");
		}
	}

	@Test
	void existenceFiltersWorkWithTheSameUser() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start("--requirepass", "admin-secret")) {
			assertThat(createUser(redis)).isEqualTo("OK");
			Users users = new Users();
			users.insert(0, 100);
			ApplicationContextRunner runner = Instances.runner(redis.port(), PREFIX)
				.withPropertyValues("spring.data.redis.username=cache-app", "spring.data.redis.password=app-secret",
						"tiered-cache.caches.users.existence-filter.enabled=true",
						"tiered-cache.caches.users.existence-filter.expected-keys=100")
				.withBean(Users.class, () -> users)
				.withBean(ExistingKeys.class, () -> ExistingKeys.of("users", users::ids));
			runner.run((context) -> {
				TieredCache cache = context.getBean(TieredCacheManager.class).getCache("users");
				ExistenceFilter filter = cache.getExistenceFilter();
				await().atMost(Duration.ofSeconds(10)).until(() -> redis
					.cli("--user", "default", "--pass", "admin-secret", "--no-auth-warning", "EXISTS", filter.redisKey())
					.trim()
					.equals("1"));
				assertThat(cache.get(-1L, () -> users.load(-1L))).isNull();
				assertThat(filter.rejected()).isEqualTo(1);
				context.getBean(Users.class).save(500, "user 500");
				cache.evict(500L);
				assertThat(cache.get(500L, () -> users.load(500L))).isEqualTo("user 500");
				assertThat(context.getBean(ExistenceFilters.class).rebuild("users").outcome())
					.isEqualTo(ExistenceFilter.Outcome.REBUILT);
				assertThat(filter.skipped()).isZero();
				assertThat(filter.pendingAdds()).isZero();
			});
		}
	}

	/** The ACL user docs/operations.md (Security) gives the starter, limited to its prefix. */
	private static String createUser(RedisServerProcess redis) throws Exception {
		return redis.cli("--user", "default", "--pass", "admin-secret", "--no-auth-warning", "ACL", "SETUSER",
				"cache-app", "on", ">app-secret", "resetkeys", "~" + PREFIX + "*", "resetchannels",
				"&" + PREFIX + "invalidation", "-@all", "+get", "+mget", "+set", "+del", "+exists", "+incr", "+pexpire",
				"+getrange", "+setrange", "+strlen", "+pttl", "+time", "+eval", "+evalsha", "+publish", "+subscribe",
				"+unsubscribe", "+ping", "+hello", "+auth", "+client|setname", "+getbit", "+setbit", "+rename",
				"+persist");
	}

	@Configuration(proxyBeanMethods = false)
	static class RepositoryConfiguration {

		@Bean
		UserRepository userRepository() {
			return new UserRepository();
		}

	}

}
