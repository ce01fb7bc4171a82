package dev.tokencache.cache;

import dev.tokencache.token.CacheKey;
import java.util.Optional;

/**
 * This instance's tokens, by key. {@link MemoryStore} is the real one; a test may wrap it to act between two
 * reads of the pipeline (deterministic races). Thread-safe, never blocks.
 */
public interface TokenStore {

  /** The entry for {@code key}, while its token may still be served at all (fresh or stale). */
  Optional<StoredToken> get(CacheKey key);

  /** Stores {@code entry}, replacing any entry for {@code key}. */
  void put(CacheKey key, StoredToken entry);

  /** Number of entries held (approximate). */
  long size();

  /** Why an entry was pushed out before its time, for {@code tokencache_cache_evictions_total{cause}}. */
  enum Eviction { SIZE, MEMORY, PER_CLIENT }

  /** Entries pushed out by a bound since start. */
  default long evictions(Eviction cause) {
    return 0;
  }
}
