package dev.tieredcache.reliability;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.tieredcache.TieredCacheOperations;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
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
			String created = redis.cli("--user", "default", "--pass", "admin-secret", "--no-auth-warning", "ACL",
					"SETUSER", "cache-app", "on", ">app-secret", "resetkeys", "~" + PREFIX + "*", "resetchannels",
					"&" + PREFIX + "invalidation", "-@all", "+get", "+mget", "+set", "+del", "+exists", "+incr", "+pexpire",
					"+getrange", "+setrange", "+strlen",
					"+pttl", "+time", "+eval", "+evalsha", "+publish", "+subscribe", "+unsubscribe", "+ping",
					"+hello", "+auth", "+client|setname");
			assertThat(created).isEqualTo("OK");
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

	@Configuration(proxyBeanMethods = false)
	static class RepositoryConfiguration {

		@Bean
		UserRepository userRepository() {
			return new UserRepository();
		}

	}

}
