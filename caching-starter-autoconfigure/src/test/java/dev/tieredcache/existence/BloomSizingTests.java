package dev.tieredcache.existence;

import java.util.BitSet;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The sizing formulas and the offsets of {@link BloomSizing}, without Redis.
 */
class BloomSizingTests {

	@Test
	void sizesByTheTextbookFormulas() {
		BloomSizing sizing = BloomSizing.of(1_000_000, 0.01);
		// m = -n ln p / (ln 2)^2 = 9,585,059 bits (1.2 MB), k = m / n ln 2 = 6.64 -> 7
		assertThat(sizing.bits()).isEqualTo(9_585_059L);
		assertThat(sizing.hashes()).isEqualTo(7);
		assertThat(sizing.bytes()).isEqualTo(1_198_133L);
		assertThat(sizing.falsePositiveRateAt(1_000_000)).isBetween(0.0095, 0.0105);
	}

	@Test
	void refusesMoreBitsThanARedisStringHolds() {
		assertThat(BloomSizing.of(400_000_000, 0.01).bits()).isLessThanOrEqualTo(BloomSizing.MAX_BITS);
		assertThatIllegalArgumentException().isThrownBy(() -> BloomSizing.of(1_000_000_000, 0.001))
			.withMessageContaining("2^32");
	}

	@Test
	void offsetsAreStableAndWithinTheFilter() {
		BloomSizing sizing = BloomSizing.of(1000, 0.01);
		// Fixed values: any JVM, any version of the starter must compute the same offsets, or
		// instances sharing a filter would disagree.
		assertThat(sizing.bits()).isEqualTo(9586);
		assertThat(sizing.offsets("42")).containsExactly(9582, 1305, 7782, 9091, 5982, 7291, 4182);
		for (int i = 0; i < 10_000; i++) {
			for (long offset : sizing.offsets("key-" + i)) {
				assertThat(offset).isBetween(0L, sizing.bits() - 1);
			}
		}
	}

	@Test
	void theFalsePositiveRateOfTheOffsetsIsTheConfiguredOne() {
		int n = 100_000;
		BloomSizing sizing = BloomSizing.of(n, 0.01);
		BitSet bits = new BitSet((int) sizing.bits());
		for (int i = 0; i < n; i++) {
			for (long offset : sizing.offsets(Integer.toString(i))) {
				bits.set((int) offset);
			}
		}
		int trials = 200_000;
		int positives = 0;
		for (int i = 0; i < trials; i++) {
			boolean all = true;
			for (long offset : sizing.offsets("absent-" + i)) {
				all &= bits.get((int) offset);
			}
			positives += all ? 1 : 0;
		}
		double sigma = Math.sqrt(trials * 0.01 * 0.99);
		assertThat((double) positives).isBetween(trials * 0.01 - 4 * sigma, trials * 0.01 + 4 * sigma);
	}

}
