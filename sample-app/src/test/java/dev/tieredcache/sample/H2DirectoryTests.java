package dev.tieredcache.sample;

import java.util.UUID;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The tour on the default profile: an embedded H2 database, named so that a second
 * instance in this JVM shares it.
 */
class H2DirectoryTests extends AbstractDirectoryTests {

	@DynamicPropertySource
	static void ownDatabase(DynamicPropertyRegistry registry) {
		String url = "jdbc:h2:mem:sample-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
		registry.add("spring.datasource.url", () -> url);
	}

}
