package dev.tieredcache.cache;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.CacheManager;

import dev.tieredcache.redis.CoordinationStatistics;
import dev.tieredcache.redis.CoordinationStatistics.InvalidationKind;
import dev.tieredcache.redis.InvalidationHandler;
import dev.tieredcache.redis.RedisKeyLayout.VersionKind;

/**
 * The {@link CacheManager} of {@link TieredCache}s. Caches named in the configuration exist
 * from the start; others are created on first use with the defaults, unless dynamic
 * creation is off, in which case asking for one fails with a message naming it.
 *
 * <p>It is also the {@link InvalidationHandler} of this instance: it routes what other
 * instances publish to the caches it concerns.
 */
public class TieredCacheManager implements CacheManager, InvalidationHandler {

	private static final Log logger = LogFactory.getLog(TieredCacheManager.class);

	private final ConcurrentMap<String, TieredCache> caches = new ConcurrentHashMap<>();

	private final ConcurrentMap<String, TieredCache> byEncodedName = new ConcurrentHashMap<>();

	private final Function<String, CacheSettings> settings;

	private final Set<String> configuredNames;

	private final boolean dynamic;

	private final CacheServices services;

	private final CoordinationStatistics statistics;

	private final List<Consumer<TieredCache>> creationListeners = new CopyOnWriteArrayList<>();

	private final PendingInvalidations pending = new PendingInvalidations();

	private final CacheTransactions transactions = new CacheTransactions();

	/**
	 * Creates a manager.
	 * @param settings the settings of a cache, by name
	 * @param configuredNames the caches created up front
	 * @param dynamic whether other names create caches on first use
	 * @param services what the caches share
	 * @param statistics where invalidations are counted
	 */
	public TieredCacheManager(Function<String, CacheSettings> settings, Collection<String> configuredNames,
			boolean dynamic, CacheServices services, CoordinationStatistics statistics) {
		this.settings = settings;
		this.configuredNames = Set.copyOf(configuredNames);
		this.dynamic = dynamic;
		this.services = services;
		this.statistics = statistics;
		configuredNames.forEach(this::getCache);
	}

	/**
	 * Registers a listener called with every cache, existing and future (meters bind
	 * caches created after start-up this way).
	 * @param listener the listener
	 */
	public void onCacheCreated(Consumer<TieredCache> listener) {
		this.creationListeners.add(listener);
		this.caches.values().forEach(listener);
	}

	@Override
	public TieredCache getCache(String name) {
		TieredCache cache = this.caches.get(name);
		if (cache != null) {
			return cache;
		}
		if (!this.dynamic && !this.configuredNames.contains(name)) {
			throw new IllegalArgumentException("Cache '" + name + "' is not configured and tiered-cache.dynamic is "
					+ "false: declare it under tiered-cache.caches." + name);
		}
		return this.caches.computeIfAbsent(name, (n) -> {
			TieredCache created = new TieredCache(n, this.settings.apply(n), this.services, this.pending,
					this.statistics, this.transactions);
			this.byEncodedName.put(created.encodedName(), created);
			this.creationListeners.forEach((listener) -> listener.accept(created));
			return created;
		});
	}

	@Override
	public Collection<String> getCacheNames() {
		return Collections.unmodifiableSet(this.caches.keySet());
	}

	/** Returns the caches created so far. */
	public Collection<TieredCache> getCaches() {
		return Collections.unmodifiableCollection(this.caches.values());
	}

	/**
	 * Returns how the caches take part in Spring-managed transactions (on by default).
	 * @return the transaction settings of every cache of this manager
	 */
	public CacheTransactions getTransactions() {
		return this.transactions;
	}

	/** Returns what the caches share. */
	public CacheServices getServices() {
		return this.services;
	}

	/**
	 * Returns how many changes (writes, evictions, tag invalidations, group bumps, clears)
	 * could not reach Redis yet and wait to be replayed.
	 * @return the number of pending changes
	 */
	public int pendingInvalidations() {
		return this.pending.size();
	}

	/** Returns the counters of invalidations and Redis errors. */
	public CoordinationStatistics getCoordinationStatistics() {
		return this.statistics;
	}

	@Override
	public void resetCaches() {
		this.caches.values().forEach(TieredCache::clear);
	}

	@Override
	public void keyChanged(String cache, String localKey) {
		TieredCache target = this.byEncodedName.get(cache);
		this.statistics.invalidation(InvalidationKind.KEY, true);
		if (target != null) {
			target.remoteKeyChanged(localKey);
			if (logger.isDebugEnabled()) {
				logger.debug("Another instance changed a key of cache '" + target.getName() + "'");
			}
		}
	}

	@Override
	public void versionChanged(VersionKind kind, String name, long version) {
		if (logger.isDebugEnabled()) {
			logger.debug("Another instance advanced " + kind.name().toLowerCase() + " '" + name + "' to version "
					+ version);
		}
		switch (kind) {
			case TAG -> {
				this.services.tags().advance(name, version);
				this.statistics.invalidation(InvalidationKind.TAG, true);
			}
			case GROUP -> {
				this.services.groups().advance(name, version);
				this.statistics.invalidation(InvalidationKind.GROUP, true);
			}
			case EPOCH -> {
				this.services.epochs().advance(name, version);
				this.statistics.invalidation(InvalidationKind.CLEAR, true);
				TieredCache target = this.byEncodedName.get(name);
				if (target != null) {
					target.clearLocal();
				}
			}
		}
	}

	@Override
	public void loadFinished(String entryId) {
		this.services.waiters().loadFinished(entryId);
	}

	@Override
	public void subscriptionRestored() {
		forgetLocalState();
	}

	@Override
	public void invalidationsMissed() {
		this.statistics.invalidationsMissed();
		forgetLocalState();
	}

	/**
	 * Called when Redis answers again after an outage: applies the invalidations that could
	 * not reach it, then forgets local state, since messages may have been missed.
	 */
	public void redisRestored() {
		boolean landed = this.pending.replay(this.services);
		forgetLocalState();
		if (!landed) {
			// Keeps the circuit open: reads skip Redis until the changes made during the
			// outage are in it, so none of its older values is served meanwhile. (Changes
			// recorded while the replay ran, which writers keep making while the circuit is
			// open, are left to the next replay, so that the circuit can close under load.)
			throw new IllegalStateException("changes made during the outage could not reach Redis yet");
		}
	}

	/**
	 * Retries the changes that could not reach Redis; called periodically while the
	 * circuit is closed, so that a single lost command is repaired without an outage.
	 */
	public void replayPending() {
		this.pending.replay(this.services);
	}

	/**
	 * Records a tag invalidation that could not reach Redis, to retry it until it lands.
	 * @param tag the encoded tag
	 * @param issuedNanos when it was issued
	 */
	void tagInvalidationFailed(String tag, long issuedNanos) {
		this.pending.tag(tag, issuedNanos);
	}

	/**
	 * Records a group bump that could not reach Redis, to retry it until it lands.
	 * @param group the encoded group
	 * @param issuedNanos when it was issued
	 */
	void groupBumpFailed(String group, long issuedNanos) {
		this.pending.group(group, issuedNanos);
	}

	/**
	 * Drops every L1 entry and every version held in memory; called when this instance
	 * may have missed invalidations (Redis or the subscription came back).
	 */
	public void forgetLocalState() {
		this.services.tags().reset();
		this.services.groups().reset();
		this.services.epochs().reset();
		this.caches.values().forEach(TieredCache::clearLocal);
	}

	@Nullable TieredCache findByEncodedName(String encodedName) {
		return this.byEncodedName.get(encodedName);
	}

}
