package dev.tieredcache.autoconfigure;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tieredcache.test.RepositoryDocs;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code tiered-cache.*} property is documented in the generated metadata (so IDEs
 * describe it) and in the property table of docs/configuration.md, and every row of that
 * table is a property.
 */
class ConfigurationMetadataTests {

	@Test
	void everyPropertyHasADescriptionAndARowInTheConfigurationReference() throws Exception {
		JsonNode metadata;
		try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			metadata = JsonMapper.builder().build().readTree(in);
		}
		String reference = String.join("\n",
				RepositoryDocs.section(RepositoryDocs.read("docs/configuration.md"), "## Configuration properties"));
		List<String> names = new ArrayList<>();
		for (JsonNode property : metadata.get("properties")) {
			String name = property.get("name").asString();
			if (!name.startsWith("tiered-cache.")) {
				// Spring Boot's own endpoint properties (management.endpoint.tieredcache.*).
				continue;
			}
			names.add(name);
			assertThat(property.path("description").asString("")).as("description of %s", name).isNotBlank();
			String documented = name.equals("tiered-cache.caches") ? "tiered-cache.caches.<name>.*" : name;
			assertThat(reference).as("row of %s in docs/configuration.md", name).contains("| `" + documented + "` |");
		}
		assertThat(names).hasSizeGreaterThan(20);
		// and no row documents a property that does not exist (a renamed or removed one)
		for (String line : reference.split("\n")) {
			if (line.startsWith("| `tiered-cache.")) {
				String documented = line.substring(3, line.indexOf('`', 3));
				assertThat(documented.equals("tiered-cache.caches.<name>.*") || names.contains(documented))
					.as("docs/configuration.md documents %s, which is no property", documented)
					.isTrue();
			}
		}
	}

}
