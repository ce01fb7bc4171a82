package dev.tokencache.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tokencache.token.CacheKey;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;

/**
 * Tokens in this process: Caffeine, bounded by {@code cache.max-entries}, each entry dropped by Caffeine itself
 * when its token can no longer be served even as stale ({@link StoredToken#staleUntil()}). Caffeine reads time
 * from the injected clock, so a test that moves the clock moves expiry. Maintenance runs on the calling thread.
 */
public final class MemoryStore implements TokenStore {
  private final Cache<CacheKey, StoredToken> entries;

  public MemoryStore(long maxEntries, InstantSource clock) {
    this.entries = Caffeine.newBuilder()
        .maximumSize(maxEntries)
        .expireAfter(new ExpireAt<CacheKey, StoredToken>(StoredToken::staleUntil))
        .ticker(ticker(clock))
        .executor(Runnable::run)
        .build();
  }

  @Override
  public Optional<StoredToken> get(CacheKey key) {
    return Optional.ofNullable(entries.getIfPresent(key));
  }

  @Override
  public void put(CacheKey key, StoredToken entry) {
    entries.put(key, entry);
  }

  @Override
  public long size() {
    return entries.estimatedSize();
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
