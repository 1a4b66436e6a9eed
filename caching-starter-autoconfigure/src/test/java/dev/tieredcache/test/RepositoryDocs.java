package dev.tieredcache.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The repository's documentation (README.md and docs/*.md), found from a module or the root,
 * for the tests that keep it true to the code.
 */
public final class RepositoryDocs {

	private RepositoryDocs() {
	}

	/** The repository's root: the nearest directory above the working one with README.md and docs/. */
	public static Path root() {
		for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
			if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("docs"))) {
				return dir;
			}
		}
		throw new IllegalStateException("No README.md and docs/ above " + Path.of("").toAbsolutePath());
	}

	/** A file of the repository, relative to its root. */
	public static Path file(String relative) {
		Path file = root().resolve(relative);
		if (!Files.isRegularFile(file)) {
			throw new IllegalStateException(relative + " not found under " + root());
		}
		return file;
	}

	/** The text of a file of the repository, relative to its root. */
	public static String read(String relative) {
		try {
			return Files.readString(file(relative));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** README.md and every Markdown page under docs/. */
	public static List<Path> markdownPages() {
		List<Path> pages = new ArrayList<>();
		pages.add(file("README.md"));
		try (Stream<Path> docs = Files.list(root().resolve("docs"))) {
			docs.filter((path) -> path.getFileName().toString().endsWith(".md")).sorted().forEach(pages::add);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return pages;
	}

	/** The lines of a Markdown text outside fenced code blocks (whose '#' lines are no headings). */
	public static List<String> linesOutsideCode(String markdown) {
		List<String> lines = new ArrayList<>();
		boolean fenced = false;
		for (String line : markdown.split("\n", -1)) {
			if (line.stripLeading().startsWith("```")) {
				fenced = !fenced;
				continue;
			}
			if (!fenced) {
				lines.add(line);
			}
		}
		return lines;
	}

	/**
	 * The section of a Markdown text under a heading, up to the next heading of the same or
	 * a higher level (code blocks excluded).
	 * @param markdown the text
	 * @param heading the heading line, with its #s
	 * @return the section's lines, the heading excluded
	 */
	public static List<String> section(String markdown, String heading) {
		int level = heading.indexOf(' ');
		List<String> lines = linesOutsideCode(markdown);
		int start = lines.indexOf(heading);
		if (start < 0) {
			throw new IllegalStateException("No heading '" + heading + "'");
		}
		List<String> section = new ArrayList<>();
		for (String line : lines.subList(start + 1, lines.size())) {
			int hashes = 0;
			while (hashes < line.length() && line.charAt(hashes) == '#') {
				hashes++;
			}
			if (hashes > 0 && hashes <= level && line.length() > hashes && line.charAt(hashes) == ' ') {
				break;
			}
			section.add(line);
		}
		return section;
	}

}
