package dev.tieredcache.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of the tiered cache, bound from {@code tiered-cache.*}.
 *
 * <p>Per-cache settings live under {@code caches.<name>}; any setting a cache leaves out
 * is taken from {@code defaults}, and any setting {@code defaults} leaves out from the
 * built-in default shown in docs/configuration.md.
 *
 * @author Tiered Cache Starter
 */
@ConfigurationProperties("tiered-cache")
public class TieredCacheProperties {

	/**
	 * Whether the tiered cache is enabled.
	 */
	private boolean enabled = true;

	/**
	 * Prefix of every Redis key and channel the starter uses; separates applications and
	 * environments that share one Redis.
	 */
	private String keyPrefix = "tiered-cache:";

	/**
	 * Whether a cache that is not listed under "caches" is created on first use with the
	 * defaults. When false, using an unknown cache name fails.
	 */
	private boolean dynamic = true;

	/**
	 * Whether the caches take part in Spring-managed transactions: put, evict and clear
	 * through the Cache API wait for the commit (and are dropped on rollback), and a value
	 * loaded on a miss inside a transaction that may write is published to Redis only
	 * after the commit.
	 */
	private boolean transactionAware = true;

	/**
	 * How long background refreshes and asynchronous loads under way may take to finish
	 * when the application stops; past it they are interrupted and refreshes not yet started
	 * are dropped.
	 */
	private Duration shutdownTimeout = Duration.ofSeconds(10);

	/**
	 * Settings applied to every cache unless the cache overrides them.
	 */
	@NestedConfigurationProperty
	private CacheSpec defaults = new CacheSpec();

	/**
	 * Per-cache settings, keyed by cache name.
	 */
	private Map<String, CacheSpec> caches = new LinkedHashMap<>();

	private final Redis redis = new Redis();

	private final Serialization serialization = new Serialization();

	private final Versions versions = new Versions();

	private final Interceptor interceptor = new Interceptor();

	private final Refresh refresh = new Refresh();

	private final Health health = new Health();

	private final Async async = new Async();

	private final HotKeysSharing hotKeys = new HotKeysSharing();

	private final WarmStartRecording warmStart = new WarmStartRecording();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getKeyPrefix() {
		return this.keyPrefix;
	}

	public void setKeyPrefix(String keyPrefix) {
		this.keyPrefix = keyPrefix;
	}

	public boolean isTransactionAware() {
		return this.transactionAware;
	}

	public void setTransactionAware(boolean transactionAware) {
		this.transactionAware = transactionAware;
	}

	public boolean isDynamic() {
		return this.dynamic;
	}

	public void setDynamic(boolean dynamic) {
		this.dynamic = dynamic;
	}

	public Duration getShutdownTimeout() {
		return this.shutdownTimeout;
	}

	public void setShutdownTimeout(Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
	}

	public CacheSpec getDefaults() {
		return this.defaults;
	}

	public void setDefaults(CacheSpec defaults) {
		this.defaults = defaults;
	}

	public Map<String, CacheSpec> getCaches() {
		return this.caches;
	}

	public void setCaches(Map<String, CacheSpec> caches) {
		this.caches = caches;
	}

	public Redis getRedis() {
		return this.redis;
	}

	public Serialization getSerialization() {
		return this.serialization;
	}

	public Versions getVersions() {
		return this.versions;
	}

	public Interceptor getInterceptor() {
		return this.interceptor;
	}

	public Refresh getRefresh() {
		return this.refresh;
	}

	public Health getHealth() {
		return this.health;
	}

	public Async getAsync() {
		return this.async;
	}

	public HotKeysSharing getHotKeys() {
		return this.hotKeys;
	}

	public WarmStartRecording getWarmStart() {
		return this.warmStart;
	}

	/**
	 * Settings of one cache (or of the defaults). A setting left unset inherits.
	 */
	public static class CacheSpec {

		/**
		 * Time to live of an entry in Redis (L2).
		 */
		private Duration ttl;

		/**
		 * Random stretch applied to every Redis TTL, as a fraction between 0 and 1: 0.1 makes
		 * each TTL 0 to 10% longer, so that entries written together do not expire together.
		 * L1 keeps no entry past its Redis freshness; local.ttl itself is not stretched.
		 * Without Redis, each L1 entry's local.ttl is shortened by a random part instead.
		 */
		private Double jitter;

		/**
		 * How long a null result is cached (negative caching). 0 caches no nulls.
		 */
		private Duration nullTtl;

		/**
		 * How long an entry past its TTL is still served while one background refresh
		 * replaces it. 0 disables stale-while-revalidate.
		 */
		private Duration staleWhileRevalidate;

		/**
		 * How long past its TTL an entry is still served when its loader fails (the
		 * database is down or times out), so that callers get the last known value rather
		 * than an error. The entry stays in Redis that much longer; only entries that no
		 * write, eviction or invalidation has touched are served. 0 disables it.
		 */
		private Duration staleIfError;

		/**
		 * After a failed load answered with a stale value, how long no instance tries that
		 * key's loader again (callers get the stale value meanwhile); doubled after each
		 * further failure, up to {@code stale-if-error}, and ended by the first successful load.
		 */
		private Duration staleIfErrorBackoff;

		/**
		 * Largest serialized value stored in Redis; larger values are kept out of L2 and
		 * counted.
		 */
		private DataSize maxValueSize;

		@NestedConfigurationProperty
		private final Local local = new Local();

		@NestedConfigurationProperty
		private final Stampede stampede = new Stampede();

		@NestedConfigurationProperty
		private final EarlyRefresh earlyRefresh = new EarlyRefresh();

		@NestedConfigurationProperty
		private final Compression compression = new Compression();

		@NestedConfigurationProperty
		private final WriteBehind writeBehind = new WriteBehind();

		@NestedConfigurationProperty
		private final HotKeys hotKeys = new HotKeys();

		@NestedConfigurationProperty
		private final Schema schema = new Schema();

		@NestedConfigurationProperty
		private final WarmStart warmStart = new WarmStart();

		@NestedConfigurationProperty
		private final ExistenceFilter existenceFilter = new ExistenceFilter();

		@NestedConfigurationProperty
		private final Audit audit = new Audit();

		public Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(Duration ttl) {
			this.ttl = ttl;
		}

		public Double getJitter() {
			return this.jitter;
		}

		public void setJitter(Double jitter) {
			this.jitter = jitter;
		}

		public Duration getNullTtl() {
			return this.nullTtl;
		}

		public void setNullTtl(Duration nullTtl) {
			this.nullTtl = nullTtl;
		}

		public Duration getStaleWhileRevalidate() {
			return this.staleWhileRevalidate;
		}

		public void setStaleWhileRevalidate(Duration staleWhileRevalidate) {
			this.staleWhileRevalidate = staleWhileRevalidate;
		}

		public Duration getStaleIfError() {
			return this.staleIfError;
		}

		public void setStaleIfError(Duration staleIfError) {
			this.staleIfError = staleIfError;
		}

		public Duration getStaleIfErrorBackoff() {
			return this.staleIfErrorBackoff;
		}

		public void setStaleIfErrorBackoff(Duration staleIfErrorBackoff) {
			this.staleIfErrorBackoff = staleIfErrorBackoff;
		}

		public DataSize getMaxValueSize() {
			return this.maxValueSize;
		}

		public void setMaxValueSize(DataSize maxValueSize) {
			this.maxValueSize = maxValueSize;
		}

		public Local getLocal() {
			return this.local;
		}

		public Stampede getStampede() {
			return this.stampede;
		}

		public EarlyRefresh getEarlyRefresh() {
			return this.earlyRefresh;
		}

		public Compression getCompression() {
			return this.compression;
		}

		public WriteBehind getWriteBehind() {
			return this.writeBehind;
		}

		public HotKeys getHotKeys() {
			return this.hotKeys;
		}

		public WarmStart getWarmStart() {
			return this.warmStart;
		}

		public Schema getSchema() {
			return this.schema;
		}

		public ExistenceFilter getExistenceFilter() {
			return this.existenceFilter;
		}

		public Audit getAudit() {
			return this.audit;
		}

	}

	/**
	 * The schema a cache's values are written in, so that two versions of the application
	 * sharing Redis during a rolling deploy each read their own values: a value written in
	 * another schema is a miss (counted, never an error), a load made meanwhile is kept beside
	 * the other version's value rather than replacing it, and every write, eviction, tag
	 * invalidation and group bump still reaches both.
	 */
	public static class Schema {

		/**
		 * An explicit schema version of the cache's values (any text, e.g. {@code 3}); change
		 * it whenever the cached classes change in a way the previous version cannot read.
		 * Takes precedence over the fingerprint.
		 */
		private String version;

		/**
		 * Whether, without an explicit version, the schema is a fingerprint of the structure
		 * of the values the cache's {@code @ReadThrough} and {@code @ReadThroughAll} methods
		 * return (class names, field names and types, recursively). On by default: 8 bytes
		 * per entry in Redis, and each read of Redis fetches the entry and the schema's
		 * variant in one {@code MGET}. A cache used only through the {@code Cache} API has no
		 * fingerprint.
		 */
		private Boolean fingerprint;

		public String getVersion() {
			return this.version;
		}

		public void setVersion(String version) {
			this.version = version;
		}

		public Boolean getFingerprint() {
			return this.fingerprint;
		}

		public void setFingerprint(Boolean fingerprint) {
			this.fingerprint = fingerprint;
		}

	}

	/**
	 * In-process (Caffeine) tier settings of a cache.
	 */
	public static class Local {

		/**
		 * Whether the in-process tier (L1) is used.
		 */
		private Boolean enabled;

		/**
		 * Time to live of an entry in the in-process tier; bounds how stale an instance can
		 * be when an invalidation message is lost. Never longer than the Redis TTL.
		 */
		private Duration ttl;

		/**
		 * Maximum number of entries held in the in-process tier.
		 */
		private Long maximumSize;

		public Boolean getEnabled() {
			return this.enabled;
		}

		public void setEnabled(Boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(Duration ttl) {
			this.ttl = ttl;
		}

		public Long getMaximumSize() {
			return this.maximumSize;
		}

		public void setMaximumSize(Long maximumSize) {
			this.maximumSize = maximumSize;
		}

	}

	/**
	 * Stampede protection settings of a cache.
	 */
	public static class Stampede {

		/**
		 * Whether concurrent misses on one key across instances are coordinated by a Redis
		 * lock, so that only one of them runs the loader.
		 */
		private Boolean enabled;

		/**
		 * Lease of the loader's Redis lock: if its holder dies, another instance takes over
		 * after this long.
		 */
		private Duration lease;

		/**
		 * Longest time a caller waits for another instance's load before loading by itself.
		 */
		private Duration waitTimeout;

		public Boolean getEnabled() {
			return this.enabled;
		}

		public void setEnabled(Boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getLease() {
			return this.lease;
		}

		public void setLease(Duration lease) {
			this.lease = lease;
		}

		public Duration getWaitTimeout() {
			return this.waitTimeout;
		}

		public void setWaitTimeout(Duration waitTimeout) {
			this.waitTimeout = waitTimeout;
		}

	}

	/**
	 * Probabilistic early refresh (XFetch) settings of a cache.
	 */
	public static class EarlyRefresh {

		/**
		 * XFetch beta: 0 disables early refresh; 1 is the usual choice; larger values refresh
		 * earlier.
		 */
		private Double beta;

		public Double getBeta() {
			return this.beta;
		}

		public void setBeta(Double beta) {
			this.beta = beta;
		}

	}

	/**
	 * Compression of large values in Redis (L2); L1 holds values uncompressed. Readers
	 * decompress whatever they find, whatever their own setting, so the setting can change
	 * from one deploy to the next.
	 */
	public static class Compression {

		/**
		 * Whether values of at least the threshold's size are compressed (Deflate, from the
		 * JDK) before they are stored in Redis. Off by default: it costs CPU on every write
		 * and every L2 hit, and pays off for large, repetitive values (JSON documents, lists).
		 */
		private Boolean enabled;

		/**
		 * Smallest serialized value that is compressed (default 2KB); smaller values gain
		 * little. A value whose compressed form is not smaller is stored as it is.
		 */
		private DataSize threshold;

		public Boolean getEnabled() {
			return this.enabled;
		}

		public void setEnabled(Boolean enabled) {
			this.enabled = enabled;
		}

		public DataSize getThreshold() {
			return this.threshold;
		}

		public void setThreshold(DataSize threshold) {
			this.threshold = threshold;
		}

	}

	/**
	 * Tracking of the most read keys of a cache, shown by the {@code tieredcache} actuator
	 * endpoint and measured by the {@code tiered.cache.hot.keys.share} gauge.
	 */
	public static class HotKeys {

		/**
		 * Whether the reads of the cache feed a frequent-items sketch (Apache DataSketches)
		 * of its most read keys, over the last one to two minutes. On by default: a read
		 * costs a few tens of nanoseconds more.
		 */
		private Boolean enabled;

		/**
		 * How many of the most read keys are reported (default 10, at most 1000). The sketch
		 * keeps 64 counters per reported key, so memory grows with it.
		 */
		private Integer top;

		/**
		 * One read in this many, drawn at random, is counted (default 16); the estimates are
		 * scaled back up. An update of the sketch costs about 100 ns, so counting every read
		 * (1) would more than double the cost of an L1 hit; a cache with little traffic can
		 * afford a lower rate for a sharper ranking.
		 */
		private Integer sampleRate;

		public Integer getSampleRate() {
			return this.sampleRate;
		}

		public void setSampleRate(Integer sampleRate) {
			this.sampleRate = sampleRate;
		}

		public Boolean getEnabled() {
			return this.enabled;
		}

		public void setEnabled(Boolean enabled) {
			this.enabled = enabled;
		}

		public Integer getTop() {
			return this.top;
		}

		public void setTop(Integer top) {
			this.top = top;
		}

	}

	/**
	 * The existence filter of a cache: a Bloom filter in Redis of the keys that exist in the
	 * source of truth, asked on a miss before the loader runs, so that floods of absent keys
	 * do not reach the database. See docs/how-it-works.md.
	 */
	public static class ExistenceFilter {

		/**
		 * Whether misses of the cache are checked against its existence filter. Off by
		 * default; enabled per cache only (not under defaults), and the application must
		 * then define an ExistingKeys bean for the cache, from which the filter is built.
		 */
		private Boolean enabled;

		/**
		 * How many keys the filter is sized for (default 1000000). Past it the
		 * false-positive rate grows; the filter takes about 1.2 bytes per expected key at
		 * 1%, in one Redis string of at most 512 MB.
		 */
		private Long expectedKeys;

		/**
		 * Share of absent keys let through to the loader at the expected number of keys
		 * (default 0.01), between 0 and 0.5.
		 */
		private Double falsePositiveRate;

		public Boolean getEnabled() {
			return this.enabled;
		}

		public void setEnabled(Boolean enabled) {
			this.enabled = enabled;
		}

		public Long getExpectedKeys() {
			return this.expectedKeys;
		}

		public void setExpectedKeys(Long expectedKeys) {
			this.expectedKeys = expectedKeys;
		}

		public Double getFalsePositiveRate() {
			return this.falsePositiveRate;
		}

		public void setFalsePositiveRate(Double falsePositiveRate) {
			this.falsePositiveRate = falsePositiveRate;
		}

	}

	/**
	 * Drift audit of a cache: read-through hits of sampled keys re-run the loader in the
	 * background, under the key's load lock, and compare its value with the cached one
	 * (measured by {@code tiered.cache.audits} and {@code tiered.cache.drift}).
	 */
	public static class Audit {

		/**
		 * Whether hits of the cache are audited against the loader. Off by default: each
		 * audit is one more load of the source of truth (plus three Redis round trips), and
		 * read-through hits take the slightly slower path that can start background loads.
		 * Needs Redis; ignored in the L1-only mode.
		 */
		private Boolean enabled;

		/**
		 * Period over which at most sample-size audits start on each instance, and at most
		 * three differences are logged (default 1m).
		 */
		private Duration interval;

		/**
		 * Most audits started per interval on each instance (default 10): the first hits of
		 * each interval that are not already being audited, so the sample leans towards the
		 * most read keys.
		 */
		private Integer sampleSize;

		/**
		 * Whether an entry found to differ from the loader's value is replaced by it (only if
		 * no write of the key happened during the audit; other instances drop the key from
		 * their L1 as after any write). Off by default: the difference is counted and logged
		 * only.
		 */
		private Boolean repair;

		public Boolean getEnabled() {
			return this.enabled;
		}

		public void setEnabled(Boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getInterval() {
			return this.interval;
		}

		public void setInterval(Duration interval) {
			this.interval = interval;
		}

		public Integer getSampleSize() {
			return this.sampleSize;
		}

		public void setSampleSize(Integer sampleSize) {
			this.sampleSize = sampleSize;
		}

		public Boolean getRepair() {
			return this.repair;
		}

		public void setRepair(Boolean repair) {
			this.repair = repair;
		}

	}

	/**
	 * Warm start of a cache after a deploy: instances record its most read keys in Redis,
	 * and a starting instance copies their entries from Redis into its L1 before it reports
	 * ready. See docs/warm-start.md.
	 */
	public static class WarmStart {

		/**
		 * Whether warm start is on for the cache. Off by default: it costs a small Redis
		 * sorted set per cache, one script call per cache and record interval on each
		 * instance, and at start-up one round trip per 100 keys copied.
		 */
		private Boolean enabled;

		/**
		 * How many of the most read keys the record in Redis keeps and a starting instance
		 * copies into L1 at most (default 500, at most 1000). Hot-key tracking then ranks
		 * that many keys, so its sketch grows with it.
		 */
		private Integer keys;

		/**
		 * Longest time a starting instance spends copying the cache's entries into L1
		 * (default 5s); start-up goes on with what was copied by then.
		 */
		private Duration timeout;

		public Boolean getEnabled() {
			return this.enabled;
		}

		public void setEnabled(Boolean enabled) {
			this.enabled = enabled;
		}

		public Integer getKeys() {
			return this.keys;
		}

		public void setKeys(Integer keys) {
			this.keys = keys;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

	}

	/**
	 * How instances record the most read keys of the caches with warm start on.
	 */
	public static class WarmStartRecording {

		/**
		 * How often each instance adds its most read keys of every cache with warm start on
		 * to the cache's record in Redis (and once more when it stops).
		 */
		private Duration recordInterval = Duration.ofSeconds(30);

		public Duration getRecordInterval() {
			return this.recordInterval;
		}

		public void setRecordInterval(Duration recordInterval) {
			this.recordInterval = recordInterval;
		}

	}

	/**
	 * How the hot keys of every cache are shown.
	 */
	public static class HotKeysSharing {

		/**
		 * Whether the {@code tieredcache} actuator endpoint shows the hot keys themselves
		 * (their encoded form), besides their hashes. Off by default: keys can be personal
		 * data (user ids, e-mail addresses); a hash still tells one key from another and can
		 * be matched against a key the operator already knows.
		 */
		private boolean exposeKeys;

		public boolean isExposeKeys() {
			return this.exposeKeys;
		}

		public void setExposeKeys(boolean exposeKeys) {
			this.exposeKeys = exposeKeys;
		}

	}

	/**
	 * Write-behind ({@code @WriteBehind}) of a cache: how its pending writes are flushed to
	 * the database.
	 */
	public static class WriteBehind {

		/**
		 * How often each instance looks for pending writes that are due and flushes them
		 * (default 1s). Writes of one key within an interval reach the database once.
		 */
		private Duration flushInterval;

		/**
		 * Most pending writes one flush round claims, and one call of the flushAll method
		 * gets (default 100).
		 */
		private Integer batchSize;

		/**
		 * Failed flushes of a write after which it is moved to the dead-letter stream
		 * (default 5).
		 */
		private Integer maxAttempts;

		/**
		 * Wait before retrying a failed flush (default 1s), doubled after each further
		 * failure of the same write.
		 */
		private Duration backoff;

		/**
		 * Lease of an instance's claim on the writes it flushes (default 30s), renewed
		 * while the flush runs: when an instance dies mid-flush, another takes its writes
		 * over after this. Must be longer than the longest pause of an instance (GC, VM
		 * freeze).
		 */
		private Duration claimAfter;

		public Duration getFlushInterval() {
			return this.flushInterval;
		}

		public void setFlushInterval(Duration flushInterval) {
			this.flushInterval = flushInterval;
		}

		public Integer getBatchSize() {
			return this.batchSize;
		}

		public void setBatchSize(Integer batchSize) {
			this.batchSize = batchSize;
		}

		public Integer getMaxAttempts() {
			return this.maxAttempts;
		}

		public void setMaxAttempts(Integer maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

		public Duration getBackoff() {
			return this.backoff;
		}

		public void setBackoff(Duration backoff) {
			this.backoff = backoff;
		}

		public Duration getClaimAfter() {
			return this.claimAfter;
		}

		public void setClaimAfter(Duration claimAfter) {
			this.claimAfter = claimAfter;
		}

	}

	/**
	 * How the starter talks to Redis.
	 */
	public static class Redis {

		/**
		 * Whether Redis is used. When false (L1-only mode, for an application's tests and
		 * local development) no connection factory is needed and none is used: L1 is the
		 * only tier, entries live for the cache's TTL, and single flight, tags, versioned
		 * groups and clears work inside this JVM. @WriteBehind methods run at once.
		 */
		private boolean enabled = true;

		/**
		 * Longest time a cache operation waits for Redis before it is treated as failed and
		 * the caller falls back to L1 or the loader.
		 */
		private Duration commandTimeout = Duration.ofMillis(500);

		/**
		 * Number of consecutive Redis failures that open the circuit, after which L2 is
		 * skipped until Redis answers again.
		 */
		private int circuitFailureThreshold = 3;

		/**
		 * How long the circuit stays open before Redis is probed again.
		 */
		private Duration circuitOpenDuration = Duration.ofSeconds(2);

		/**
		 * How often changes that could not reach Redis (a failed or timed-out command) are
		 * retried, a heartbeat is published and lost invalidation messages of other
		 * instances are looked for. Bounds, with the command timeout, how long a lost
		 * command or message leaves another instance stale.
		 */
		private Duration repairInterval = Duration.ofSeconds(1);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getRepairInterval() {
			return this.repairInterval;
		}

		public void setRepairInterval(Duration repairInterval) {
			this.repairInterval = repairInterval;
		}

		public Duration getCommandTimeout() {
			return this.commandTimeout;
		}

		public void setCommandTimeout(Duration commandTimeout) {
			this.commandTimeout = commandTimeout;
		}

		public int getCircuitFailureThreshold() {
			return this.circuitFailureThreshold;
		}

		public void setCircuitFailureThreshold(int circuitFailureThreshold) {
			this.circuitFailureThreshold = circuitFailureThreshold;
		}

		public Duration getCircuitOpenDuration() {
			return this.circuitOpenDuration;
		}

		public void setCircuitOpenDuration(Duration circuitOpenDuration) {
			this.circuitOpenDuration = circuitOpenDuration;
		}

	}

	/**
	 * How values are serialized into Redis.
	 */
	public static class Serialization {

		/**
		 * Packages whose classes may be stored in and read back from Redis (their
		 * sub-packages too), besides the JDK's value types, which are always allowed.
		 * Defaults to the application's own packages (those of its
		 * {@code @SpringBootApplication}).
		 */
		private List<String> allowedPackages = new ArrayList<>();

		public List<String> getAllowedPackages() {
			return this.allowedPackages;
		}

		public void setAllowedPackages(List<String> allowedPackages) {
			this.allowedPackages = allowedPackages;
		}

	}

	/**
	 * How tag, group and cache versions are tracked.
	 */
	public static class Versions {

		/**
		 * How often a version held in memory is re-read from Redis in the background, as a
		 * safety net for a lost invalidation message.
		 */
		private Duration refreshInterval = Duration.ofSeconds(5);

		/**
		 * How long a version key lives in Redis after its last change; a lost version comes
		 * back larger than before, never smaller.
		 */
		private Duration ttl = Duration.ofDays(7);

		public Duration getRefreshInterval() {
			return this.refreshInterval;
		}

		public void setRefreshInterval(Duration refreshInterval) {
			this.refreshInterval = refreshInterval;
		}

		public Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(Duration ttl) {
			this.ttl = ttl;
		}

	}

	/**
	 * Settings of the annotation interceptor.
	 */
	public static class Interceptor {

		/**
		 * Order of the caching advice. The default runs it outside {@code @Transactional}
		 * and Spring's own cache advice, so that a cache hit opens no transaction.
		 */
		private int order = dev.tieredcache.interceptor.TieredCacheAdvisor.DEFAULT_ORDER;

		public int getOrder() {
			return this.order;
		}

		public void setOrder(int order) {
			this.order = order;
		}

	}

	/**
	 * Settings of background refreshes (early refresh and stale-while-revalidate).
	 */
	public static class Refresh {

		/**
		 * Number of threads that run background refreshes.
		 */
		private int threads = 2;

		/**
		 * Number of background refreshes that may wait for a thread; more are dropped and
		 * the entry is refreshed by a later read or loaded on expiry.
		 */
		private int queueCapacity = 256;

		public int getThreads() {
			return this.threads;
		}

		public void setThreads(int threads) {
			this.threads = threads;
		}

		public int getQueueCapacity() {
			return this.queueCapacity;
		}

		public void setQueueCapacity(int queueCapacity) {
			this.queueCapacity = queueCapacity;
		}

	}

	/**
	 * Settings of asynchronous loads (of {@code CompletableFuture} methods and of the
	 * asynchronous {@code retrieve} methods).
	 */
	public static class Async {

		/**
		 * Largest number of threads that run asynchronous loads; past it a load runs on the
		 * thread that asked for it.
		 */
		private int threads = 64;

		public int getThreads() {
			return this.threads;
		}

		public void setThreads(int threads) {
			this.threads = threads;
		}

	}

	/**
	 * Settings of the {@code tieredCache} health contributor.
	 */
	public static class Health {

		/**
		 * Health status reported while the Redis circuit is open (L2 skipped, the cache
		 * serving from L1 and the loaders): UP by default, since the application still
		 * serves; DOWN, OUT_OF_SERVICE or a custom status to make it count. Case-insensitive.
		 */
		private String openCircuitStatus = "UP";

		public String getOpenCircuitStatus() {
			return this.openCircuitStatus;
		}

		public void setOpenCircuitStatus(String openCircuitStatus) {
			this.openCircuitStatus = openCircuitStatus;
		}

	}

}
