package dev.tieredcache.cache;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.frequencies.ItemsSketch.Row;

import org.springframework.util.Assert;

/**
 * The most frequently read keys of one cache, estimated by Apache DataSketches' frequent
 * items sketch (Misra-Gries): a bounded map of counters whose estimates are off by at most a
 * known share of the reads.
 *
 * <p>Recording is cheap and never blocks: one read in {@code sampleRate}, drawn at random,
 * is counted (an update of the sketch costs about 100 ns; drawing, a few), and the estimates
 * are scaled back up. The counted reads are spread over a few stripes, chosen
 * by thread, each with its own sketch behind a lock that a reader only tries; a read that
 * finds its stripe busy (another thread of the same stripe, or a snapshot) is not counted,
 * which a ranking of the hottest keys does not notice. A snapshot merges the stripes.
 *
 * <p>The reads counted are those of the current window and the previous one (so between one
 * and two {@code window}s): a snapshot taken after the window ran out starts a new one.
 * Recording reads no clock.
 */
public final class HotKeys {

	/** How long a window of counted reads lasts. */
	public static final java.time.Duration WINDOW = java.time.Duration.ofMinutes(1);

	/** Counters per tracked key: 0.75 of it are kept, far more than the top asked for. */
	private static final int COUNTERS_PER_TOP_KEY = 64;

	private static final int MIN_MAP_SIZE = 256;

	private static final int MAX_MAP_SIZE = 1 << 16;

	private final int top;

	private final int sampleRate;

	private final int mapSize;

	private final long windowNanos;

	private final LongSupplier nanoClock;

	private final Stripe[] stripes;

	private final int mask;

	private final LongAdder dropped = new LongAdder();

	/**
	 * Creates the record of a cache's hot keys.
	 * @param top how many of the hottest keys a snapshot reports
	 * @param sampleRate one read in this many, drawn at random, is counted
	 * @param window how long a window of counted reads lasts
	 * @param nanoClock the clock deciding when a window ends, in nanoseconds
	 */
	public HotKeys(int top, int sampleRate, java.time.Duration window, LongSupplier nanoClock) {
		this(top, top, sampleRate, window, nanoClock);
	}

	/**
	 * Creates the record of a cache's hot keys, sized to rank more keys than a snapshot
	 * reports by default (for warm start, which asks for its own number).
	 * @param top how many of the hottest keys a snapshot reports
	 * @param tracked how many of the hottest keys a snapshot can rank well, at least
	 * {@code top}: the sketch's memory grows with it
	 * @param sampleRate one read in {@code sampleRate}, drawn at random, is counted
	 * @param window how long a window of counted reads lasts
	 * @param nanoClock the clock deciding when a window ends, in nanoseconds
	 */
	public HotKeys(int top, int tracked, int sampleRate, java.time.Duration window, LongSupplier nanoClock) {
		Assert.isTrue(top > 0, "top must be positive");
		Assert.isTrue(tracked >= top, "tracked must be at least top");
		Assert.isTrue(sampleRate > 0, "sampleRate must be positive");
		this.sampleRate = sampleRate;
		Assert.isTrue(!window.isNegative() && !window.isZero(), "window must be positive");
		this.top = top;
		this.mapSize = Math.min(MAX_MAP_SIZE,
				Math.max(MIN_MAP_SIZE, Integer.highestOneBit(tracked * COUNTERS_PER_TOP_KEY - 1) << 1));
		this.windowNanos = window.toNanos();
		this.nanoClock = nanoClock;
		int count = Math.min(8, Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors())));
		this.stripes = new Stripe[count];
		long now = nanoClock.getAsLong();
		for (int i = 0; i < count; i++) {
			this.stripes[i] = new Stripe(this.mapSize, now);
		}
		this.mask = count - 1;
	}

	/** Returns how many of the hottest keys a snapshot reports. */
	public int top() {
		return this.top;
	}

	/**
	 * Counts a read of a key.
	 * @param key the encoded key
	 */
	void record(String key) {
		// The sketch costs about 100 ns per update: only a sample of the reads pays it.
		if (this.sampleRate > 1 && ThreadLocalRandom.current().nextInt(this.sampleRate) != 0) {
			return;
		}
		long id = Thread.currentThread().getId();
		Stripe stripe = this.stripes[(int) ((id * 0x9E3779B97F4A7C15L) >>> 40) & this.mask];
		if (!stripe.lock.tryLock()) {
			this.dropped.increment();
			return;
		}
		try {
			stripe.current.update(key);
		}
		finally {
			stripe.lock.unlock();
		}
	}

	/**
	 * Returns the hottest keys of the last one or two windows, hottest first.
	 * @return the snapshot
	 */
	public Snapshot snapshot() {
		return snapshot(this.top);
	}

	/**
	 * Returns the hottest keys of the last one or two windows, hottest first.
	 * @param limit how many keys at most
	 * @return the snapshot
	 */
	public Snapshot snapshot(int limit) {
		ItemsSketch<String> merged = new ItemsSketch<>(this.mapSize);
		long now = this.nanoClock.getAsLong();
		for (Stripe stripe : this.stripes) {
			stripe.lock.lock();
			try {
				if (now - stripe.windowStart >= this.windowNanos) {
					stripe.rotate(now, this.mapSize);
				}
				merged.merge(stripe.previous);
				merged.merge(stripe.current);
			}
			finally {
				stripe.lock.unlock();
			}
		}
		Row<String>[] rows = merged.getFrequentItems(ErrorType.NO_FALSE_NEGATIVES);
		Arrays.sort(rows, Comparator.comparingLong(Row<String>::getEstimate).reversed());
		List<HotKey> keys = new ArrayList<>(Math.min(limit, rows.length));
		for (int i = 0; i < rows.length && i < limit; i++) {
			Row<String> row = rows[i];
			keys.add(new HotKey(row.getItem(), row.getEstimate() * this.sampleRate,
					row.getLowerBound() * this.sampleRate, row.getUpperBound() * this.sampleRate));
		}
		return new Snapshot(keys, merged.getStreamLength() * this.sampleRate,
				merged.getMaximumError() * this.sampleRate);
	}

	/** Returns how many reads were sampled but not counted because their stripe was busy. */
	public long dropped() {
		return this.dropped.sum();
	}

	/**
	 * One of the hottest keys.
	 * @param key the encoded key
	 * @param estimate its estimated reads in the window
	 * @param lowerBound the fewest reads it may have had, up to the sampling's error
	 * @param upperBound the most reads it may have had, up to the sampling's error
	 */
	public record HotKey(String key, long estimate, long lowerBound, long upperBound) {
	}

	/**
	 * The hottest keys at one moment.
	 * @param keys the hottest keys, hottest first, at most the limit asked for; only keys
	 * read more often than {@code maximumError} (a flat traffic has none)
	 * @param reads the estimated reads in the window
	 * @param maximumError the most any estimate is off by, besides the sampling's error
	 */
	public record Snapshot(List<HotKey> keys, long reads, long maximumError) {

		/**
		 * Returns the share of the counted reads that went to the reported keys, between 0
		 * and 1; 0 when no read was counted.
		 * @return the share
		 */
		public double share() {
			if (this.reads == 0) {
				return 0;
			}
			long sum = 0;
			for (HotKey key : this.keys) {
				sum += key.estimate();
			}
			return Math.min(1.0, (double) sum / this.reads);
		}

	}

	/** One thread stripe: its sketches of the current and previous windows. */
	private static final class Stripe {

		final ReentrantLock lock = new ReentrantLock();

		ItemsSketch<String> current;

		ItemsSketch<String> previous;

		long windowStart;

		Stripe(int mapSize, long now) {
			this.current = new ItemsSketch<>(mapSize);
			this.previous = new ItemsSketch<>(mapSize);
			this.windowStart = now;
		}

		void rotate(long now, int mapSize) {
			this.previous = this.current;
			this.current = new ItemsSketch<>(mapSize);
			this.windowStart = now;
		}

	}

}
