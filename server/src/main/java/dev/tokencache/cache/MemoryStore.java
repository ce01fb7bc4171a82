package dev.tokencache.cache;

import org.jspecify.annotations.Nullable;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tokencache.token.CacheKey;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Tokens in this process: Caffeine, each entry dropped by Caffeine itself when its token can no longer be served
 * even as stale ({@link StoredToken#staleUntil()}). Caffeine reads time from the injected clock, so a test that
 * moves the clock moves expiry. Maintenance runs on the calling thread.
 *
 * <p>Three bounds, so that neither a setting nor a client can exhaust the heap or push others out:
 * <ul>
 *   <li><b>count</b> ({@code cache.max-entries}) and <b>memory</b> ({@code cache.max-memory}) together, as one
 *       Caffeine weight: each entry weighs its real size ({@link dev.tokencache.token.CachedToken#heapBytes()}),
 *       but at least {@code maxBytes / maxEntries}, so the total weight stays under {@code maxBytes} only if both
 *       the bytes and the count do. Beyond it, Caffeine evicts the least useful entries (W-TinyLFU).
 *   <li><b>per client</b> ({@code cache.max-keys-per-client}): one client id holds at most that many entries;
 *       storing one more removes that client's own oldest, never another client's.
 * </ul>
 */
public final class MemoryStore implements TokenStore {
  private final Cache<CacheKey, StoredToken> entries;
  private final long maxEntries;
  private final int maxKeysPerClient;
  private final ConcurrentMap<String, LinkedHashSet<CacheKey>> keysByClient = new ConcurrentHashMap<>();
  private final LongAdder[] evictions = {new LongAdder(), new LongAdder(), new LongAdder()};

  /** A store bounded by count only, with no per-client bound (tests). */
  public MemoryStore(long maxEntries, InstantSource clock) {
    this(maxEntries, Long.MAX_VALUE / 2, Integer.MAX_VALUE, clock);
  }

  public MemoryStore(long maxEntries, long maxBytes, int maxKeysPerClient, InstantSource clock) {
    this.maxEntries = maxEntries;
    this.maxKeysPerClient = maxKeysPerClient;
    int floor = (int) Math.max(1, Math.min(Integer.MAX_VALUE, maxBytes / Math.max(1, maxEntries)));
    this.entries = Caffeine.newBuilder()
        .maximumWeight(maxBytes)
        .<CacheKey, StoredToken>weigher((key, entry) -> Math.max(floor, entry.token().heapBytes()))
        .expireAfter(new ExpireAt<CacheKey, StoredToken>(StoredToken::staleUntil))
        .ticker(ticker(clock))
        .executor(Runnable::run)
        .removalListener(this::removed)
        .build();
  }

  @Override
  public Optional<StoredToken> get(CacheKey key) {
    return Optional.ofNullable(entries.getIfPresent(key));
  }

  @Override
  public void put(CacheKey key, StoredToken entry) {
    entries.put(key, entry);
    if (maxKeysPerClient == Integer.MAX_VALUE) {
      return;
    }
    CacheKey[] oldest = new CacheKey[1];
    keysByClient.compute(entry.clientId(), (id, keys) -> { // atomic per client id
      LinkedHashSet<CacheKey> held = keys == null ? new LinkedHashSet<>() : keys;
      held.remove(key); // re-added as the newest
      held.add(key);
      if (held.size() > maxKeysPerClient) {
        Iterator<CacheKey> first = held.iterator();
        oldest[0] = first.next();
        first.remove();
      }
      return held;
    });
    // outside compute: the removal listener below updates the same map
    if (oldest[0] != null && entries.asMap().remove(oldest[0]) != null) {
      evictions[Eviction.PER_CLIENT.ordinal()].increment();
    }
  }

  /** Keeps the per-client index in step with entries Caffeine dropped (expired, evicted, removed). */
  private void removed(@Nullable CacheKey key, @Nullable StoredToken entry, RemovalCause cause) {
    if (cause == RemovalCause.SIZE) {
      boolean byCount = entries.estimatedSize() >= maxEntries - 1;
      evictions[(byCount ? Eviction.SIZE : Eviction.MEMORY).ordinal()].increment();
    }
    if (cause == RemovalCause.REPLACED || key == null || entry == null || maxKeysPerClient == Integer.MAX_VALUE) {
      return;
    }
    keysByClient.computeIfPresent(entry.clientId(), (id, keys) -> {
      keys.remove(key);
      return keys.isEmpty() ? null : keys;
    });
  }

  @Override
  public long size() {
    return entries.estimatedSize();
  }

  @Override
  public long evictions(Eviction cause) {
    return evictions[cause.ordinal()].sum();
  }

  /** The total weight held: roughly the bytes of heap the tokens take. */
  public long weightedBytes() {
    return entries.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
  }

  /** Caffeine measures time in nanoseconds; ours comes from the injected clock. */
  public static Ticker ticker(InstantSource clock) {
    return () -> toNanos(clock.instant());
  }

  /** An instant as Caffeine's ticker counts it. */
  public static long toNanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }
}
