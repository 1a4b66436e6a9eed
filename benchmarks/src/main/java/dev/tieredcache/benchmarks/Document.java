package dev.tieredcache.benchmarks;

import java.util.List;

/**
 * A larger cached value for the compression scenario: some 10 KB of JSON, as a list of
 * text lines (see {@link ProductSource#document}).
 *
 * @param id the id
 * @param title the title
 * @param lines the lines
 */
public record Document(long id, String title, List<String> lines) {

}
