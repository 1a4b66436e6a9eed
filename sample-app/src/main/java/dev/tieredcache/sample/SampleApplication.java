package dev.tieredcache.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.cache.annotation.EnableCaching;

/**
 * A small team directory over a relational database, cached by the tiered cache starter.
 *
 * <p>{@code @EnableCaching} is only needed for the one plain Spring {@code @Cacheable}
 * method ({@link DirectoryService#team(long)}); the starter's own annotations work without
 * it. Being the {@code @SpringBootApplication}, this class's package is also the one the
 * starter allows to be read back from Redis.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableCaching
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
