package dev.tieredcache.review6;

import java.time.Duration;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.audit.DriftAudit;
import dev.tieredcache.audit.DriftStatistics;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.review6.Users.NewUsers;
import dev.tieredcache.review6.Users.OldUsers;
import dev.tieredcache.review6.Users.Rows;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * review6: during a rolling deploy the drift audit never audits a value served from the
 * schema's variant. A hit served from the variant is offered to the audit, but
 * {@code DriftAudit.auditLocked} reads the entry alone ({@code store.get}), finds the other
 * schema's value, which {@code currentEntry} passes over (counting one more
 * "other-schema" rejection), and ends the audit as skipped. Drift in the new version's
 * values goes unseen for as long as the old version is running, and the audit's permits are
 * spent on it.
 */
class AuditOfVariantTests {

	/**
	 * Sequence: the old version (UserV1) and the new one (UserV2, drift audit on, repair
	 * off), L1 off, share Redis; the old version reads id 1 (its value in the entry), the new
	 * one reads id 1 (its value in its variant); the row changes behind the cache's back; the
	 * new version reads id 1 again (a hit from the variant, offered to the audit).
	 * Observed: the audit ends skipped; no drift counted.
	 * Expected: one drift counted, as with a single version. Fix: read the key in the audit
	 * as the read did ({@code TieredCache.readStored}: entry and variant, chosen by
	 * {@code inSchema}); the sequence check then holds for the variant too (same sequence as
	 * the entry), and a repair must go to the variant (with {@code fill.lua} under the
	 * sequence) rather than replace the other schema's entry.
	 */
	@Test
	void aDriftedVariantValueIsFound() {
		Rows rows = new Rows();
		String prefix = TestRedis.uniquePrefix("review6-audit-variant");
		ApplicationContextRunner oldVersion = Instances.runner(TestRedis.SHARED_PORT, prefix)
			.withBean(OldUsers.class, () -> new OldUsers(rows))
			.withPropertyValues("tiered-cache.defaults.local.enabled=false");
		ApplicationContextRunner newVersion = Instances.runner(TestRedis.SHARED_PORT, prefix)
			.withBean(NewUsers.class, () -> new NewUsers(rows))
			.withPropertyValues("tiered-cache.defaults.local.enabled=false", "tiered-cache.caches.users.audit.enabled=true",
					"tiered-cache.caches.users.audit.interval=1h", "tiered-cache.caches.users.audit.sample-size=5");
		oldVersion.run((a) -> newVersion.run((b) -> {
			a.getBean(OldUsers.class).find(1);
			b.getBean(NewUsers.class).find(1);
			DriftAudit audit = b.getBean(TieredCacheManager.class).getCache("users").getDriftAudit();
			assertThat(audit).isNotNull();
			// The first read was a load, not a hit: nothing offered yet.
			await().atMost(Duration.ofSeconds(2)).until(() -> total(audit.statistics()) == 0);
			rows.versions.put(1L, 5);
			assertThat(b.getBean(NewUsers.class).find(1).version()).as("served from the variant").isEqualTo(1);
			await().atMost(Duration.ofSeconds(5)).until(() -> total(audit.statistics()) >= 1);
			assertThat(audit.statistics().audits(DriftStatistics.Result.SKIPPED)).as("skipped audits").isZero();
			assertThat(audit.statistics().drift()).as("drift found").isOne();
		}));
	}

	private static long total(DriftStatistics statistics) {
		return Arrays.stream(DriftStatistics.Result.values()).mapToLong(statistics::audits).sum();
	}

}
