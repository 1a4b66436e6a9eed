package dev.tieredcache.autoconfigure;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration for applications in which no tiered cache manager exists (the tiered
 * cache is switched off, or what it needs is missing): registers the check that fails
 * start-up when a bean uses the starter's annotations anyway, naming the method and what is
 * missing, so that they never silently run uncached. Switched off on purpose, it only says
 * so once.
 */
@AutoConfiguration(after = TieredCacheAutoConfiguration.class)
@ConditionalOnMissingBean(name = TieredCacheAutoConfiguration.CACHE_MANAGER_BEAN_NAME)
public final class TieredCacheAbsentAutoConfiguration {

	@Bean
	AbsentTieredCacheCheck tieredCacheAbsentCheck(ConfigurableListableBeanFactory beanFactory,
			Environment environment) {
		return new AbsentTieredCacheCheck(beanFactory, environment);
	}

}
