package dev.tieredcache.writebehind;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in database shared by the instances of a test: the values applied per key, in
 * order (the audit), how many flush calls it took, and knobs to make flushes fail or hang.
 */
public final class Ledger {

	final Map<String, List<Long>> audit = new ConcurrentHashMap<>();

	final AtomicInteger calls = new AtomicInteger();

	volatile boolean failing;

	volatile long delayMillis;

	final AtomicBoolean holdFirst = new AtomicBoolean();

	final CountDownLatch release = new CountDownLatch(1);

	void apply(String key, Long value) {
		this.calls.incrementAndGet();
		check();
		this.audit.computeIfAbsent(key, (k) -> java.util.Collections.synchronizedList(new ArrayList<>())).add(value);
	}

	void applyAll(Collection<Item> items) {
		this.calls.incrementAndGet();
		check();
		for (Item item : items) {
			this.audit.computeIfAbsent(item.id(), (k) -> java.util.Collections.synchronizedList(new ArrayList<>()))
				.add(item.version());
		}
	}

	private void check() {
		if (this.holdFirst.compareAndSet(true, false)) {
			try {
				this.release.await(20, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		if (this.delayMillis > 0) {
			try {
				Thread.sleep(this.delayMillis);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		if (this.failing) {
			throw new IllegalStateException("database down");
		}
	}

	List<Long> applied(String key) {
		List<Long> values = this.audit.get(key);
		if (values == null) {
			return List.of();
		}
		synchronized (values) {
			return List.copyOf(values);
		}
	}

	/** A value with its own key, for the batch method. */
	public record Item(String id, long version) {
	}

}
