package dev.tieredcache.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tieredcache.annotation.WriteBehind;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.existence.ExistingKeys;
import dev.tieredcache.redis.RedisCommandExecutor;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.RepositoryDocs;
import dev.tieredcache.test.TestRedis;
import dev.tieredcache.writebehind.WriteBehindMethods;
import dev.tieredcache.writebehind.WriteBehindStatistics;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every metric the shipped Grafana dashboard and Prometheus alert rules query, and every
 * label they select on, is one the starter registers, as a Prometheus scrape shows it; and
 * every meter the starter registers is in the meter table of docs/operations.md, with its tags.
 */
class ObservabilityDocsTests {

	private static final Pattern METRIC = Pattern.compile("tiered_cache_[a-z0-9_]+");

	private static final Pattern SELECTOR = Pattern.compile("(tiered_cache_[a-z0-9_]+)\\{([^}]*)}");

	private static final Pattern PROMETHEUS_SUFFIX = Pattern.compile("(_seconds|_keys)?(_total|_count|_sum|_max|_bucket)?$");

	private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");

	@Test
	void dashboardAndAlertsQueryOnlyRegisteredMetricsAndLabels() throws Exception {
		List<String> queries = new java.util.ArrayList<>();
		queries.addAll(dashboardQueries(docs("grafana-dashboard.json")));
		queries.addAll(alertQueries(docs("prometheus-alerts.yml")));
		assertThat(queries).isNotEmpty();
		Map<String, Set<String>> scraped = scrapedLabelsByMetric();
		Set<String> queried = new TreeSet<>();
		for (String query : queries) {
			Matcher metric = METRIC.matcher(query);
			while (metric.find()) {
				queried.add(metric.group());
			}
			Matcher selector = SELECTOR.matcher(query);
			while (selector.find()) {
				Matcher label = MATCHER.matcher(selector.group(2));
				while (label.find()) {
					assertThat(scraped.get(selector.group(1))).as("labels of %s in %s", selector.group(1), query)
						.contains(label.group(1));
				}
			}
		}
		assertThat(queried).as("metrics the dashboard and the rules query")
			.contains("tiered_cache_gets_total", "tiered_cache_loads_seconds_count", "tiered_cache_redis_circuit",
					"tiered_cache_redis_errors_total", "tiered_cache_invalidations_total",
					"tiered_cache_lock_waits_seconds_count", "tiered_cache_write_behind_pending",
					"tiered_cache_write_behind_oldest_age_seconds", "tiered_cache_write_behind_flushes_seconds_count",
					"tiered_cache_write_behind_dead_letters_total", "tiered_cache_write_behind_fallbacks_total",
					"tiered_cache_audits_total", "tiered_cache_drift_total", "tiered_cache_drift_repairs_total");
		assertThat(scraped.keySet()).as("metrics the starter registers").containsAll(queried);
	}

	@Test
	void everyRegisteredMeterAndTagIsInTheOperationsPage() {
		List<String> table = RepositoryDocs.section(RepositoryDocs.read("docs/operations.md"), "### Metrics");
		Map<String, String> rows = new HashMap<>();
		for (String line : table) {
			if (line.startsWith("| `tiered.cache.")) {
				rows.put(line.substring(3, line.indexOf('`', 3)), line);
			}
		}
		Map<String, Set<String>> scraped = scrapedLabelsByMetric();
		assertThat(scraped).isNotEmpty();
		for (Map.Entry<String, Set<String>> sample : scraped.entrySet()) {
			String meter = PROMETHEUS_SUFFIX.matcher(sample.getKey()).replaceFirst("").replace('_', '.');
			assertThat(rows).as("row of %s (scraped as %s) in docs/operations.md", meter, sample.getKey())
				.containsKey(meter);
			for (String tag : sample.getValue()) {
				if (!tag.equals("quantile") && !tag.equals("le")) {
					assertThat(rows.get(meter)).as("tag %s of %s in docs/operations.md", tag, meter)
						.contains("`" + tag + "`");
				}
			}
		}
	}

	/** Every query of the dashboard: panel targets and template variables. */
	private static List<String> dashboardQueries(Path file) throws IOException {
		JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(file));
		assertThat(dashboard.get("panels").isArray()).isTrue();
		List<String> queries = new java.util.ArrayList<>();
		for (JsonNode panel : dashboard.get("panels")) {
			for (JsonNode target : panel.path("targets")) {
				queries.add(target.get("expr").asString());
			}
		}
		for (JsonNode variable : dashboard.get("templating").get("list")) {
			if (variable.path("definition").isString()) {
				queries.add(variable.get("definition").asString());
			}
		}
		return queries;
	}

	@SuppressWarnings("unchecked")
	private static List<String> alertQueries(Path file) throws IOException {
		Map<String, Object> rules = new Yaml().load(Files.readString(file));
		List<String> queries = new java.util.ArrayList<>();
		Map<String, String> byName = new HashMap<>();
		for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
			for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
				assertThat(rule).containsKeys("alert", "expr");
				queries.add((String) rule.get("expr"));
				byName.put((String) rule.get("alert"), (String) rule.get("expr"));
			}
		}
		assertThat(byName.get("TieredCacheWriteBehindBacklogOld")).as("alert on the oldest pending write")
			.contains("tiered_cache_write_behind_oldest_age_seconds");
		assertThat(byName.get("TieredCacheWriteBehindDeadLetters")).as("alert on any dead letter")
			.contains("tiered_cache_write_behind_dead_letters_total")
			.endsWith("> 0");
		assertThat(byName.get("TieredCacheDrift")).as("alert on any drift found by an audit")
			.contains("tiered_cache_drift_total")
			.endsWith("> 0");
		return queries;
	}

	/** Sample names and their label names in a scrape of every tiered.cache meter. */
	private static Map<String, Set<String>> scrapedLabelsByMetric() {
		Map<String, Set<String>> labels = new HashMap<>();
		Instances.runner(TestRedis.SHARED_PORT, TestRedis.uniquePrefix("observability-docs"))
			.withPropertyValues("tiered-cache.caches.products.ttl=1m",
					"tiered-cache.caches.guarded.existence-filter.enabled=true",
					"tiered-cache.caches.guarded.existence-filter.expected-keys=1000",
					"tiered-cache.caches.products.audit.enabled=true")
			.withBean(LastSeen.class)
			.withBean(ExistingKeys.class, () -> ExistingKeys.of("guarded", java.util.stream.Stream::empty))
			.run((context) -> {
				PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
				TieredCacheManager manager = context.getBean(TieredCacheManager.class);
				new TieredCacheManagerMetrics(manager, List.of()).bindTo(registry);
				new TieredCacheCoordinationMetrics(manager.getCoordinationStatistics(),
						context.getBean(RedisCommandExecutor.class).circuit(), List.of())
					.bindTo(registry);
				new TieredCacheWriteBehindMetrics(context.getBeanProvider(MeterRegistry.class),
						context.getBean(WriteBehindMethods.class), context.getBean(WriteBehindStatistics.class))
					.bindTo(registry);
				new TieredCacheWarmStartMetrics(() -> List.of("products"),
						context.getBean(dev.tieredcache.warmup.WarmStartStatistics.class))
					.bindTo(registry);
				manager.getCache("products").get("1", () -> "one");
				manager.getCache("products").get("1", () -> "one");
				for (String line : registry.scrape().split("\n")) {
					if (line.isBlank() || line.startsWith("#")) {
						continue;
					}
					int end = line.indexOf('{');
					String name = line.substring(0, (end >= 0) ? end : line.indexOf(' '));
					Set<String> names = labels.computeIfAbsent(name, (n) -> new TreeSet<>());
					if (end >= 0) {
						Matcher label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"").matcher(line.substring(end));
						while (label.find()) {
							names.add(label.group(1));
						}
					}
				}
			});
		return labels;
	}

	/** A write-behind method, for the write-behind meters. */
	static class LastSeen {

		@WriteBehind(cache = "last-seen")
		public void save(String user, Long seen) {
		}

	}

	/** A file under the repository's docs folder, from the module or the root. */
	private static Path docs(String name) {
		return RepositoryDocs.file("docs/" + name);
	}

}
