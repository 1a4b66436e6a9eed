package dev.tieredcache.redis;

import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * Tells, from the sequence numbers other instances give their invalidation messages,
 * whether a message was lost.
 *
 * <h2>How it works</h2>
 * For every publisher seen, it keeps the highest number received and the numbers below it
 * still missing, each with the time it went missing. Messages of one publisher can arrive
 * slightly out of order (its threads send commands concurrently), so a missing number is
 * only declared lost once it has been missing for the grace period; a number that arrives
 * late is simply crossed off. A publisher's first message sets its baseline: what it sent
 * before this instance listened could not concern this instance's L1, which filled after.
 * Instance ids are new at every start, so a publisher never restarts its count.
 *
 * <p>Thread-safe: {@link #received} runs on the subscription's thread, {@link #expired} on
 * a timer; both lock the publisher's state. Memory is bounded: at most
 * {@value #MAX_MISSING} missing numbers per publisher (more is a loss at once), and
 * publishers not heard from for {@code forgetAfterNanos} are forgotten.
 */
public final class MessageSequences {

	static final int MAX_MISSING = 10_000;

	private final ConcurrentMap<String, Publisher> publishers = new ConcurrentHashMap<>();

	private final long graceNanos;

	private final long forgetAfterNanos;

	private final LongSupplier nanoTime;

	/**
	 * Creates the tracker.
	 * @param graceNanos how long a number may be missing before it counts as lost
	 * @param forgetAfterNanos how long a silent publisher is remembered
	 * @param nanoTime the monotonic clock
	 */
	public MessageSequences(long graceNanos, long forgetAfterNanos, LongSupplier nanoTime) {
		this.graceNanos = graceNanos;
		this.forgetAfterNanos = forgetAfterNanos;
		this.nanoTime = nanoTime;
	}

	/**
	 * Records a message (or a heartbeat carrying the publisher's latest number).
	 * @param publisher the publishing instance
	 * @param sequence its number
	 * @param heartbeat whether it is a heartbeat, which names the latest number sent rather
	 * than a message of its own
	 * @return whether this reveals a loss at once (more missing numbers than are tracked)
	 */
	public boolean received(String publisher, long sequence, boolean heartbeat) {
		long now = this.nanoTime.getAsLong();
		Publisher state = this.publishers.computeIfAbsent(publisher, (p) -> new Publisher());
		synchronized (state) {
			state.heardAt = now;
			if (state.highest < 0) {
				state.highest = sequence;
				return false;
			}
			// A message's number says every smaller one was sent; a heartbeat's says that it was.
			long sentUpTo = heartbeat ? sequence : sequence - 1;
			if (sequence > state.highest) {
				if (sentUpTo - state.highest > MAX_MISSING) {
					state.reset(sequence);
					return true;
				}
				for (long missing = state.highest + 1; missing <= sentUpTo; missing++) {
					state.missing.put(missing, now);
				}
				state.highest = sequence;
				return false;
			}
			// An awaited number crossed off; anything else below the highest is older than
			// what this instance listened for, or was already given up for lost.
			state.missing.remove(sequence);
			return false;
		}
	}

	/**
	 * Checks for numbers missing longer than the grace period, and forgets them and
	 * publishers not heard from for long.
	 * @return whether any message is now known to be lost
	 */
	public boolean expired() {
		long now = this.nanoTime.getAsLong();
		boolean lost = false;
		for (Iterator<Map.Entry<String, Publisher>> it = this.publishers.entrySet().iterator(); it.hasNext();) {
			Publisher state = it.next().getValue();
			synchronized (state) {
				NavigableMap<Long, Long> missing = state.missing;
				for (Iterator<Long> since = missing.values().iterator(); since.hasNext();) {
					if (now - since.next() >= this.graceNanos) {
						since.remove();
						lost = true;
					}
				}
				if (missing.isEmpty() && now - state.heardAt > this.forgetAfterNanos) {
					it.remove();
				}
			}
		}
		return lost;
	}

	/** Forgets every publisher, as after a reconnection, when everything local is dropped. */
	public void reset() {
		this.publishers.clear();
	}

	private static final class Publisher {

		long highest = -1;

		long heardAt;

		final NavigableMap<Long, Long> missing = new TreeMap<>();

		void reset(long sequence) {
			this.highest = sequence;
			this.missing.clear();
		}

	}

}
