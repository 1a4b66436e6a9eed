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
 * late is simply crossed off. Every live instance publishes a heartbeat each period, so a
 * publisher first heard of after this instance has listened for longer than a period is
 * new, and its numbers are awaited from 1; one first heard of earlier may have been sending
 * before this instance listened, which could not concern this instance's L1 (it filled
 * after), so its first number is the baseline. Instance ids are new at every start, so a
 * publisher never restarts its count.
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

	private final long newcomerAfterNanos;

	private final LongSupplier nanoTime;

	private volatile long listeningSince;

	/**
	 * Creates the tracker.
	 * @param graceNanos how long a number may be missing before it counts as lost
	 * @param newcomerAfterNanos how long this instance must have listened before a publisher
	 * it has never heard of counts as new (a heartbeat period plus the grace)
	 * @param forgetAfterNanos how long a silent publisher is remembered
	 * @param nanoTime the monotonic clock
	 */
	public MessageSequences(long graceNanos, long newcomerAfterNanos, long forgetAfterNanos, LongSupplier nanoTime) {
		this.graceNanos = graceNanos;
		this.newcomerAfterNanos = newcomerAfterNanos;
		this.forgetAfterNanos = forgetAfterNanos;
		this.nanoTime = nanoTime;
		this.listeningSince = nanoTime.getAsLong();
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
				state.highest = 0;
				if (now - this.listeningSince < this.newcomerAfterNanos) {
					// This instance may have started listening after the publisher began: what
					// the publisher sent before could not concern L1, which filled after.
					state.highest = sequence;
					return false;
				}
				// Listening for longer than a heartbeat period without hearing it: the
				// publisher is new, and every number it used so far was sent to this instance.
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
			// A message crosses off an awaited number; a heartbeat never does: it may have been
			// sent before a later message yet arrive after it, while the number it names is lost.
			if (!heartbeat) {
				state.missing.remove(sequence);
			}
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

	/**
	 * Starts over, as when the subscription starts or comes back (everything local is then
	 * dropped): every publisher is forgotten and this instance listens from now.
	 */
	public void reset() {
		this.listeningSince = this.nanoTime.getAsLong();
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
