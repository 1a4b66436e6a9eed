package dev.tieredcache.interceptor;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.tieredcache.annotation.ReadThrough;
import dev.tieredcache.cache.CacheStatistics.RefreshTrigger;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hot key under steady reads is refreshed in the background before or as it expires, so
 * its readers never wait for a load after the first one.
 */
class RefreshAheadTests {

	private final String prefix = TestRedis.uniquePrefix("refresh-ahead");

	private final ApplicationContextRunner runner = Instances.runner(TestRedis.SHARED_PORT, this.prefix)
		.withUserConfiguration(QuoteServiceConfiguration.class);

	@Test
	void earlyRefreshReplacesAHotEntryBeforeItExpires() {
		this.runner
			.withPropertyValues("tiered-cache.caches.quotes.ttl=600ms", "tiered-cache.caches.quotes.jitter=0",
					"tiered-cache.caches.quotes.local.ttl=50ms", "tiered-cache.caches.quotes.early-refresh.beta=2")
			.run((context) -> {
				QuoteService quotes = context.getBean(QuoteService.class);
				readSteadily(quotes, Duration.ofMillis(2500));
				assertThat(quotes.foregroundLoads()).as("loads a reader waited for").hasValue(1);
				assertThat(quotes.backgroundLoads()).as("early refreshes").hasPositiveValue();
				assertThat(context.getBean(TieredCacheManager.class)
					.getCache("quotes")
					.getStatistics()
					.refreshes(RefreshTrigger.EARLY)).isPositive();
			});
	}

	@Test
	void staleWhileRevalidateServesTheOldValueWhileOneRefreshReplacesIt() {
		this.runner
			.withPropertyValues("tiered-cache.caches.quotes.ttl=300ms", "tiered-cache.caches.quotes.jitter=0",
					"tiered-cache.caches.quotes.local.ttl=50ms",
					"tiered-cache.caches.quotes.stale-while-revalidate=10s")
			.run((context) -> {
				QuoteService quotes = context.getBean(QuoteService.class);
				readSteadily(quotes, Duration.ofMillis(1500));
				assertThat(quotes.foregroundLoads()).as("loads a reader waited for").hasValue(1);
				assertThat(quotes.backgroundLoads()).as("revalidations").hasPositiveValue();
				var statistics = context.getBean(TieredCacheManager.class).getCache("quotes").getStatistics();
				assertThat(statistics.staleServed()).isPositive();
				assertThat(statistics.refreshes(RefreshTrigger.STALE)).isPositive();
			});
	}

	/** Reads the hot key every 10 ms for the given time, as a steady stream of requests. */
	private static void readSteadily(QuoteService quotes, Duration duration) throws InterruptedException {
		long end = System.nanoTime() + duration.toNanos();
		while (System.nanoTime() < end) {
			assertThat(quotes.quote("ACME")).startsWith("ACME@");
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
		}
	}

	/** A slow quote source that tells loads on caller threads from background ones. */
	public static class QuoteService {

		private final AtomicInteger foreground = new AtomicInteger();

		private final AtomicInteger background = new AtomicInteger();

		@ReadThrough(cache = "quotes", key = "#symbol")
		public String quote(String symbol) throws InterruptedException {
			boolean refresh = Thread.currentThread().getName().startsWith("tiered-cache-refresh-");
			(refresh ? this.background : this.foreground).incrementAndGet();
			Thread.sleep(100);
			return symbol + "@" + System.nanoTime();
		}

		public AtomicInteger foregroundLoads() {
			return this.foreground;
		}

		public AtomicInteger backgroundLoads() {
			return this.background;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class QuoteServiceConfiguration {

		@Bean
		QuoteService quoteService() {
			return new QuoteService();
		}

	}

}
