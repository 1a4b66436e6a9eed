package dev.tieredcache.docs;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.util.ClassUtils;

import dev.tieredcache.test.RepositoryDocs;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README and the pages under docs/ stay true to the repository: their links lead
 * somewhere, the tests the consistency guarantees cite exist, every annotation and attribute
 * is documented, and the README states the test command CI runs.
 */
class DocumentationTests {

	private static final Pattern LINK = Pattern.compile("\\[[^\\]]*]\\(([^)\\s]+)\\)");

	private static final Pattern HEADING = Pattern.compile("^(#{1,6}) (.+)$");

	private static final Pattern TEST_CLASS = Pattern.compile("`([A-Z][A-Za-z0-9]*Tests)`");

	@Test
	void everyRelativeLinkLeadsToAnExistingFileAndHeading() throws IOException {
		List<String> broken = new ArrayList<>();
		int checked = 0;
		for (Path page : RepositoryDocs.markdownPages()) {
			for (String line : RepositoryDocs.linesOutsideCode(Files.readString(page))) {
				Matcher link = LINK.matcher(line);
				while (link.find()) {
					String target = link.group(1);
					if (target.matches("^[a-z]+:.*")) {
						continue; // http:, https:, mailto:
					}
					checked++;
					int hash = target.indexOf('#');
					String path = (hash >= 0) ? target.substring(0, hash) : target;
					Path file = path.isEmpty() ? page : page.getParent().resolve(path).normalize();
					String where = RepositoryDocs.root().relativize(page) + ": " + target;
					if (!Files.exists(file)) {
						broken.add(where + " (no such file)");
					}
					else if (hash >= 0 && file.toString().endsWith(".md")
							&& !anchors(Files.readString(file)).contains(target.substring(hash + 1))) {
						broken.add(where + " (no such heading)");
					}
				}
			}
		}
		assertThat(broken).as("broken links").isEmpty();
		assertThat(checked).isGreaterThan(20);
	}

	@Test
	void everyTestTheConsistencyGuaranteesCiteExists() throws IOException {
		List<String> table = RepositoryDocs.section(RepositoryDocs.read("docs/how-it-works.md"),
				"## Consistency guarantees and limits");
		Set<String> cited = new TreeSet<>();
		for (String line : table) {
			if (!line.startsWith("| ") || line.startsWith("| event") || line.startsWith("| ---")) {
				continue;
			}
			String[] cells = line.split("\\|");
			Matcher test = TEST_CLASS.matcher(cells[cells.length - 1]);
			int inRow = 0;
			while (test.find()) {
				cited.add(test.group(1));
				inRow++;
			}
			assertThat(inRow).as("tests cited by the row %s", line).isPositive();
		}
		assertThat(cited).hasSizeGreaterThan(10);
		Set<String> testClasses = testClassesOfTheRepository();
		assertThat(testClasses).as("test classes of the repository").containsAll(cited);
	}

	@Test
	void everyAnnotationAndAttributeIsDocumented() throws Exception {
		String page = RepositoryDocs.read("docs/annotations.md");
		String readme = RepositoryDocs.read("README.md");
		List<Class<?>> annotations = annotations();
		assertThat(annotations).extracting(Class::getSimpleName)
			.contains("ReadThrough", "ReadThroughAll", "WriteThrough", "InvalidateTags", "VersionedGroup");
		for (Class<?> annotation : annotations) {
			String name = annotation.getSimpleName();
			List<String> section = RepositoryDocs.section(page, "## `@" + name + "`");
			for (Method attribute : annotation.getDeclaredMethods()) {
				assertThat(section).as("row of %s.%s in docs/annotations.md", name, attribute.getName())
					.anyMatch((line) -> line.startsWith("| `" + attribute.getName() + "` |"));
			}
			assertThat(readme).as("README cheat sheet").contains("`@" + name);
		}
	}

	@Test
	void theReadmeStatesTheTestCommandCiRuns() {
		assertThat(RepositoryDocs.read(".ci/run")).contains("\nmvn -B verify\n");
		String readme = RepositoryDocs.read("README.md");
		assertThat(readme).contains("./mvnw -B verify").contains("`mvn -B verify`");
		assertThat(readme).contains("./mvnw -B -pl sample-app -am spring-boot:run");
		assertThat(RepositoryDocs.root().resolve("mvnw")).isExecutable();
	}

	/** The anchors GitHub gives the headings of a Markdown text. */
	private static Set<String> anchors(String markdown) {
		Set<String> anchors = new HashSet<>();
		Map<String, Integer> seen = new HashMap<>();
		for (String line : RepositoryDocs.linesOutsideCode(markdown)) {
			Matcher heading = HEADING.matcher(line);
			if (heading.matches()) {
				String slug = heading.group(2)
					.strip()
					.toLowerCase(java.util.Locale.ROOT)
					.replaceAll("[^\\p{L}\\p{N} _-]", "")
					.replace(' ', '-');
				int count = seen.merge(slug, 1, Integer::sum);
				anchors.add((count == 1) ? slug : slug + "-" + (count - 1));
			}
		}
		return anchors;
	}

	/** Simple names of every class under a src/test/java of the repository's modules. */
	private static Set<String> testClassesOfTheRepository() throws IOException {
		Set<String> names = new TreeSet<>();
		try (Stream<Path> files = Files.walk(RepositoryDocs.root(), 12)) {
			files.filter((path) -> path.toString().contains("/src/test/java/"))
				.filter((path) -> path.getFileName().toString().endsWith(".java"))
				.filter((path) -> !path.toString().contains("/target/"))
				.forEach((path) -> names.add(path.getFileName().toString().replace(".java", "")));
		}
		return names;
	}

	/** The top-level annotation types of dev.tieredcache.annotation. */
	private static List<Class<?>> annotations() throws Exception {
		List<Class<?>> annotations = new ArrayList<>();
		for (Resource resource : new PathMatchingResourcePatternResolver()
			.getResources("classpath*:dev/tieredcache/annotation/*.class")) {
			String file = resource.getFilename();
			if (file == null || file.contains("$")) {
				continue;
			}
			Class<?> type = ClassUtils.forName("dev.tieredcache.annotation." + file.replace(".class", ""), null);
			if (type.isAnnotation()) {
				annotations.add(type);
			}
		}
		annotations.sort(Comparator.comparing(Class::getSimpleName));
		return annotations;
	}

}
