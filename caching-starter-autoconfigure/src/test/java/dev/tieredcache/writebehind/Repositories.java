package dev.tieredcache.writebehind;

import java.util.Collection;

import dev.tieredcache.annotation.WriteBehind;

/** Write-behind methods of the tests. */
final class Repositories {

	private Repositories() {
	}

	/** One flush call per key: the key and the value. */
	static class PerKey {

		private final Ledger ledger;

		PerKey(Ledger ledger) {
			this.ledger = ledger;
		}

		@WriteBehind(cache = "seen")
		public void save(String key, Long value) {
			this.ledger.apply(key, value);
		}

	}

	/** One flush call per batch. */
	static class Batch {

		private final Ledger ledger;

		Batch(Ledger ledger) {
			this.ledger = ledger;
		}

		@WriteBehind(cache = "items", key = "#item.id()", flushAll = "saveAll")
		public void save(Ledger.Item item) {
			this.ledger.applyAll(java.util.List.of(item));
		}

		public void saveAll(Collection<Ledger.Item> items) {
			this.ledger.applyAll(items);
		}

	}

	static class NotVoid {

		@WriteBehind(cache = "seen")
		public String save(String key, Long value) {
			return "";
		}

	}

	static class BadFlushAll {

		@WriteBehind(cache = "items", key = "#item.id()", flushAll = "saveAll")
		public void save(Ledger.Item item) {
		}

		public void saveAll(String items) {
		}

	}

}
