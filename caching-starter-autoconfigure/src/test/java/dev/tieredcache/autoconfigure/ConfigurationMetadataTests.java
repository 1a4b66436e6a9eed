package dev.tieredcache.autoconfigure;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code tiered-cache.*} property is documented in the generated metadata (so IDEs
 * describe it) and in the README's property table.
 */
class ConfigurationMetadataTests {

	@Test
	void everyPropertyHasADescriptionAndARowInTheReadme() throws Exception {
		JsonNode metadata;
		try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			metadata = JsonMapper.builder().build().readTree(in);
		}
		String readme = Files.readString(Path.of("..", "README.md"));
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
			assertThat(readme).as("README row of %s", name).contains("| `" + documented + "` |");
		}
		assertThat(names).hasSizeGreaterThan(20);
	}

}
