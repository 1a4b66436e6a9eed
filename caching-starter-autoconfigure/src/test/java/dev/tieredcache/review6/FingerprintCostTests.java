package dev.tieredcache.review6;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.tieredcache.annotation.ReadThrough;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.test.Instances;
import dev.tieredcache.test.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * review6: the schema fingerprint costs time and memory exponential in the depth of the
 * cached type graph. {@code TypeFingerprint.describeClass} cuts cycles only
 * ({@code visiting} holds the classes on the current path and forgets each on the way
 * back), so a class reached along many paths is described once per path, and the
 * description, one string, holds every copy: a graph of n classes costs as many steps as it
 * has paths, not n. Here 22 small records, each with two fields of the next, have
 * 2^22 paths: the description would be about 2^22 (four million) class names,
 * hundreds of megabytes. Real models reach this with fewer classes: JPA entities with
 * bidirectional associations (customer, orders, order lines, products, categories, each pointing at
 * several others) have a number of simple paths that grows factorially.
 */
class FingerprintCostTests {

	/**
	 * Sequence: an application whose {@code @ReadThrough} method returns {@code L0} (a
	 * chain of 22 records, each holding two of the next) starts.
	 * Observed: start and run take 15 s here (measured, on two shared cores), spent in
	 * {@code TypeFingerprint.describe} building a description of about 2^22 class names. Five more levels (27 records) end the start
	 * with {@code OutOfMemoryError: Required array length 2147483639 + 17 is too large} after
	 * two minutes of CPU. Every instance pays this at every start.
	 * Expected: start-up in well under a second; the fingerprint of a type graph costs one
	 * description per class. Fix: describe each class once, by name, in a sorted map
	 * (name to its field list, fields naming the classes they refer to by name) and hash
	 * that map; a reference to a class already described is its name only. The result stays
	 * independent of the order in which classes are met and still changes when any class in
	 * the graph changes.
	 */
	@Test
	void aDeepTypeGraphIsFingerprintedQuickly() {
		ApplicationContextRunner runner = Instances
			.runner(TestRedis.SHARED_PORT, TestRedis.uniquePrefix("review6-fingerprint"))
			.withBean(Tree.class, Tree::new);
		long started = System.nanoTime();
		runner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(TieredCacheManager.class).getCache("trees").schema()).isNotZero();
		});
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
	}

	/** A repository of the deep type. */
	public static class Tree {

		@ReadThrough(cache = "trees", key = "#id")
		public L0 find(long id) {
			return null;
		}

	}

	/** Level 0: two references to level 1. */
	public record L0(L1 left, L1 right) {
	}

	/** Level 1: two references to level 2. */
	public record L1(L2 left, L2 right) {
	}

	/** Level 2: two references to level 3. */
	public record L2(L3 left, L3 right) {
	}

	/** Level 3: two references to level 4. */
	public record L3(L4 left, L4 right) {
	}

	/** Level 4: two references to level 5. */
	public record L4(L5 left, L5 right) {
	}

	/** Level 5: two references to level 6. */
	public record L5(L6 left, L6 right) {
	}

	/** Level 6: two references to level 7. */
	public record L6(L7 left, L7 right) {
	}

	/** Level 7: two references to level 8. */
	public record L7(L8 left, L8 right) {
	}

	/** Level 8: two references to level 9. */
	public record L8(L9 left, L9 right) {
	}

	/** Level 9: two references to level 10. */
	public record L9(L10 left, L10 right) {
	}

	/** Level 10: two references to level 11. */
	public record L10(L11 left, L11 right) {
	}

	/** Level 11: two references to level 12. */
	public record L11(L12 left, L12 right) {
	}

	/** Level 12: two references to level 13. */
	public record L12(L13 left, L13 right) {
	}

	/** Level 13: two references to level 14. */
	public record L13(L14 left, L14 right) {
	}

	/** Level 14: two references to level 15. */
	public record L14(L15 left, L15 right) {
	}

	/** Level 15: two references to level 16. */
	public record L15(L16 left, L16 right) {
	}

	/** Level 16: two references to level 17. */
	public record L16(L17 left, L17 right) {
	}

	/** Level 17: two references to level 18. */
	public record L17(L18 left, L18 right) {
	}

	/** Level 18: two references to level 19. */
	public record L18(L19 left, L19 right) {
	}

	/** Level 19: two references to level 20. */
	public record L19(L20 left, L20 right) {
	}

	/** Level 20: two references to level 21. */
	public record L20(L21 left, L21 right) {
	}

	/** The last level. */
	public record L21(long id) {
	}

}
