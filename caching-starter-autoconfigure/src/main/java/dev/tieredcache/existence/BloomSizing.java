package dev.tieredcache.existence;

import java.nio.charset.StandardCharsets;

import org.apache.datasketches.hash.MurmurHash3;

import org.springframework.util.Assert;

/**
 * The shape of a Bloom filter sized for an expected number of keys and a false-positive
 * rate: {@code m = ceil(-n ln p / (ln 2)^2)} bits and {@code k = round(m / n * ln 2)} hash
 * functions, the values that minimise the false-positive rate for {@code n} keys.
 *
 * <p>A key's {@code k} bit offsets come from double hashing (Kirsch and Mitzenmacher):
 * {@code (h1 + i * h2) mod m}, with {@code h1} and {@code h2} the two 64-bit halves of the
 * 128-bit MurmurHash3 (x64, seed 0) of the encoded key's UTF-8 bytes, the Apache
 * DataSketches implementation. Every JVM computes the same offsets, so instances of any
 * version share one filter.
 *
 * @param expectedKeys how many keys the filter is sized for ({@code n})
 * @param falsePositiveRate the share of absent keys let through at {@code n} keys ({@code p})
 * @param bits the number of bits ({@code m}), at most {@link #MAX_BITS}
 * @param hashes the number of bits set per key ({@code k})
 */
public record BloomSizing(long expectedKeys, double falsePositiveRate, long bits, int hashes) {

	/** The most bits a filter may have: a Redis string holds at most 512 MB. */
	public static final long MAX_BITS = 1L << 32;

	private static final double LN2 = Math.log(2);

	public BloomSizing {
		Assert.isTrue(expectedKeys >= 1, "expectedKeys must be at least 1");
		Assert.isTrue(falsePositiveRate > 0 && falsePositiveRate < 1, "falsePositiveRate must be between 0 and 1");
		Assert.isTrue(bits >= 1 && bits <= MAX_BITS, "bits must be between 1 and 2^32");
		Assert.isTrue(hashes >= 1, "hashes must be at least 1");
	}

	/**
	 * Sizes a filter.
	 * @param expectedKeys how many keys it is sized for, at least 1
	 * @param falsePositiveRate the share of absent keys let through, between 0 and 1
	 * @return the sizing
	 * @throws IllegalArgumentException if it would need more than {@link #MAX_BITS} bits
	 */
	public static BloomSizing of(long expectedKeys, double falsePositiveRate) {
		long bits = bitsFor(expectedKeys, falsePositiveRate);
		if (bits > MAX_BITS) {
			throw new IllegalArgumentException("A filter for " + expectedKeys + " keys at a false-positive rate of "
					+ falsePositiveRate + " needs " + bits + " bits, more than a Redis string holds (2^32)");
		}
		int hashes = (int) Math.max(1, Math.round((double) bits / expectedKeys * LN2));
		return new BloomSizing(expectedKeys, falsePositiveRate, bits, hashes);
	}

	/**
	 * Returns the bits a filter needs, unbounded.
	 * @param expectedKeys how many keys it is sized for
	 * @param falsePositiveRate the share of absent keys let through
	 * @return the number of bits
	 */
	public static long bitsFor(long expectedKeys, double falsePositiveRate) {
		return (long) Math.max(8, Math.ceil(-expectedKeys * Math.log(falsePositiveRate) / (LN2 * LN2)));
	}

	/**
	 * Returns the false-positive rate this filter has when it holds the given number of keys:
	 * {@code (1 - e^(-k * keys / m))^k}.
	 * @param keys the number of keys added
	 * @return the expected share of absent keys let through
	 */
	public double falsePositiveRateAt(long keys) {
		return Math.pow(1 - Math.exp(-(double) this.hashes * keys / this.bits), this.hashes);
	}

	/**
	 * Returns the memory the filter takes in Redis.
	 * @return its size in bytes
	 */
	public long bytes() {
		return (this.bits + 7) / 8;
	}

	/**
	 * Returns the bit offsets of a key.
	 * @param encodedKey the encoded key
	 * @return its {@link #hashes()} offsets, each below {@link #bits()}
	 */
	public long[] offsets(String encodedKey) {
		long[] hash = MurmurHash3.hash(encodedKey.getBytes(StandardCharsets.UTF_8), 0);
		long[] offsets = new long[this.hashes];
		for (int i = 0; i < this.hashes; i++) {
			offsets[i] = Math.floorMod(hash[0] + i * hash[1], this.bits);
		}
		return offsets;
	}

	/**
	 * Returns a name that differs for every shape: part of the filter's Redis key, so that a
	 * change of sizing starts a new filter instead of reading an old one with the wrong
	 * offsets.
	 * @return {@code m<bits>k<hashes>}
	 */
	public String shape() {
		return "m" + this.bits + "k" + this.hashes;
	}

}
