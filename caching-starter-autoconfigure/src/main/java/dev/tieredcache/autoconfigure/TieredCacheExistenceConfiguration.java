package dev.tieredcache.autoconfigure;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.existence.ExistenceFilter;
import dev.tieredcache.existence.ExistenceFilters;
import dev.tieredcache.existence.ExistingKeys;
import dev.tieredcache.redis.RedisCommandExecutor;

/**
 * Existence filters ({@code tiered-cache.caches.<name>.existence-filter.*}): matches every
 * cache that has one with its {@link ExistingKeys} bean, failing start-up when one is
 * missing, doubled or names a cache without the filter, and registers the replay of adds
 * Redis did not take. Imported by {@link TieredCacheAutoConfiguration}.
 */
@Configuration(proxyBeanMethods = false)
class TieredCacheExistenceConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ExistenceFilters tieredCacheExistenceFilters(
			@Qualifier(TieredCacheAutoConfiguration.CACHE_MANAGER_BEAN_NAME) TieredCacheManager manager,
			ObjectProvider<ExistingKeys> sources, @Nullable RedisCommandExecutor executor,
			TieredCacheProperties properties) {
		Map<String, ExistingKeys> byCache = sourcesByCache(sources.orderedStream().toList());
		Map<String, ExistenceFilters.Guarded> guarded = new LinkedHashMap<>();
		for (TieredCache cache : manager.getCaches()) {
			boolean enabled = cache.getSettings().existenceFilter() != null;
			ExistingKeys source = byCache.remove(cache.getName());
			if (enabled && source == null) {
				throw new InvalidConfigurationPropertyValueException(property(cache.getName()), true,
						"The existence filter of cache '" + cache.getName() + "' is built from the keys that exist: "
								+ "define an ExistingKeys bean whose cacheName() is '" + cache.getName() + "'");
			}
			if (!enabled && source != null) {
				throw withoutFilter(cache.getName());
			}
			ExistenceFilter filter = cache.getExistenceFilter();
			if (filter != null) {
				guarded.put(cache.getName(), new ExistenceFilters.Guarded(filter, source, cache::encodedKey));
			}
		}
		if (!byCache.isEmpty()) {
			throw withoutFilter(byCache.keySet().iterator().next());
		}
		ExistenceFilters filters = new ExistenceFilters(guarded);
		if (executor != null && !guarded.isEmpty()) {
			executor.onReconnect(filters::replay);
			executor.schedule(properties.getRedis().getRepairInterval(), filters::replay);
		}
		return filters;
	}

	private static Map<String, ExistingKeys> sourcesByCache(List<ExistingKeys> sources) {
		Map<String, ExistingKeys> byCache = new HashMap<>();
		for (ExistingKeys source : sources) {
			String name = source.cacheName();
			if (byCache.put(name, source) != null) {
				throw new InvalidConfigurationPropertyValueException(property(name), true,
						"Several ExistingKeys beans list the keys of cache '" + name + "': define one");
			}
		}
		return byCache;
	}

	private static InvalidConfigurationPropertyValueException withoutFilter(String cache) {
		return new InvalidConfigurationPropertyValueException(property(cache), null, "An ExistingKeys bean lists the "
				+ "keys of cache '" + cache + "', which has no existence filter: enable it with " + property(cache)
				+ "=true, or remove the bean");
	}

	private static String property(String cache) {
		return "tiered-cache.caches." + cache + ".existence-filter.enabled";
	}

}
