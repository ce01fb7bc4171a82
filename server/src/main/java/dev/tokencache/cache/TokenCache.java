package dev.tokencache.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tokencache.config.Settings;
import dev.tokencache.token.CacheKey;
import dev.tokencache.token.CachedToken;
import dev.tokencache.token.TokenRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token cache: bounded entries that expire with their own token, single flight for fetches, refresh
 * ahead, and rate-limited forced refresh.
 *
 * <p>Entries live in Caffeine with a per-entry {@link Expiry} that drops a token once it has less than
 * {@code cache.min-remaining} left. Fetches live in a map of in-flight futures, one per key: the first miss
 * starts the fetch and every concurrent request for the key joins it. That map is separate from the entries
 * because (a) an answer that must not be cached (an upstream error) is still shared by everyone waiting for
 * it, and (b) a replacement fetch (refresh ahead, forced refresh) runs while the old entry keeps serving.
 * A cacheable answer is stored before its flight is removed, so no request ever sees neither.
 *
 * <p>Thread-safe; never blocks. All reads of time go through the injected {@link InstantSource}.
 */
public final class TokenCache {
  private static final Logger LOG = LoggerFactory.getLogger(TokenCache.class);

  private final Cache<CacheKey, CachedToken> entries;
  private final ConcurrentMap<CacheKey, CompletableFuture<Fetched>> flights = new ConcurrentHashMap<>();
  private final TokenFetcher fetcher;
  private final SharedTier shared;
  private final InstantSource clock;
  private final Duration minRemaining;
  private final double refreshAhead;
  private final Duration forceRefreshInterval;

  public TokenCache(Settings.Cache settings, TokenFetcher fetcher, InstantSource clock) {
    this(settings, fetcher, SharedTier.NONE, clock);
  }

  /** A cache whose fetches go through {@code shared} (another instance may already hold the token). */
  public TokenCache(Settings.Cache settings, TokenFetcher fetcher, SharedTier shared, InstantSource clock) {
    this.fetcher = fetcher;
    this.shared = shared;
    this.clock = clock;
    this.minRemaining = settings.minRemaining();
    this.refreshAhead = settings.refreshAhead();
    this.forceRefreshInterval = settings.forceRefreshInterval();
    this.entries = Caffeine.newBuilder()
        .maximumSize(settings.maxEntries())
        .expireAfter(new UsableLife(minRemaining))
        .ticker(ticker(clock))
        .executor(Runnable::run)
        .build();
  }

  /**
   * Finds the token for {@code key}, or the fetch that will produce it.
   *
   * @param key the key derived from {@code request}
   * @param request the canonical request, used only when a fetch is needed
   * @param forceRefresh the client asked to skip the cached token ({@code Cache-Control: no-cache})
   */
  public Lookup lookup(CacheKey key, TokenRequest request, boolean forceRefresh) {
    Instant now = clock.instant();
    CachedToken cached = servable(key, now);
    if (cached != null) {
      if (!forceRefresh || isRecent(cached, now)) {
        if (cached.isDueForRefreshAt(now, refreshAhead)) {
          refreshInBackground(key, request, cached);
        }
        return new Lookup.Hit(cached);
      }
      return fly(key, request, SharedTier.Reason.FORCED, cached);
    }
    return fly(key, request, SharedTier.Reason.MISS, null);
  }

  /** Number of tokens held (approximate, as Caffeine counts). */
  public long size() {
    return entries.estimatedSize();
  }

  /** Number of fetches under way. */
  public int fetchesInFlight() {
    return flights.size();
  }

  private CachedToken servable(CacheKey key, Instant now) {
    CachedToken token = entries.getIfPresent(key);
    return token != null && token.isServableAt(now, minRemaining) ? token : null;
  }

  private boolean isRecent(CachedToken token, Instant now) {
    return now.isBefore(token.receivedAt().plus(forceRefreshInterval));
  }

  private void refreshInBackground(CacheKey key, TokenRequest request, CachedToken current) {
    if (flights.containsKey(key)) {
      return;
    }
    Lookup lookup = fly(key, request, SharedTier.Reason.REFRESH_AHEAD, current);
    if (lookup instanceof Lookup.Pending pending && pending.result() == CacheResult.REFRESH) {
      pending.fetch().whenComplete((fetched, failure) -> {
        if (failure != null || fetched.token().isEmpty()) {
          LOG.debug("refresh ahead for {} kept the current token: {}", key,
              failure != null ? failure.getMessage() : "status " + fetched.response().status());
        }
      });
    }
  }

  /** Joins the flight for {@code key}, or starts one. */
  private Lookup fly(CacheKey key, TokenRequest request, SharedTier.Reason reason, CachedToken current) {
    boolean replacing = reason != SharedTier.Reason.MISS;
    CompletableFuture<Fetched> mine = new CompletableFuture<>();
    CompletableFuture<Fetched> running = flights.putIfAbsent(key, mine);
    if (running != null) {
      return new Lookup.Pending(running, CacheResult.COALESCED);
    }
    if (!replacing) {
      // A flight may have stored its token and left between our first look and putIfAbsent.
      CachedToken stored = servable(key, clock.instant());
      if (stored != null) {
        flights.remove(key, mine);
        mine.cancel(false);
        return new Lookup.Hit(stored);
      }
    }
    CompletableFuture<Fetched> fetch;
    try {
      fetch = shared.load(key, request, reason, current, () -> fetchUpstream(request)).toCompletableFuture();
    } catch (RuntimeException e) {
      fetch = CompletableFuture.failedFuture(e);
    }
    fetch.whenComplete((fetched, failure) -> land(key, mine, fetched, failure));
    return new Lookup.Pending(mine, replacing ? CacheResult.REFRESH : CacheResult.MISS);
  }

  private CompletionStage<Fetched> fetchUpstream(TokenRequest request) {
    Instant sentAt = clock.instant();
    return fetcher.fetch(request).thenApply(response -> Fetched.of(response, sentAt));
  }

  /** The shared tier's counts, or {@code null} when there is none. */
  public SharedTier.Stats sharedTierStats() {
    return shared.stats();
  }

  /** The shared tier's state, for readiness: {@code null} when it works or there is none. */
  public String sharedTierProblem() {
    return shared.problem();
  }

  private void land(CacheKey key, CompletableFuture<Fetched> flight, Fetched fetched, Throwable failure) {
    if (failure == null) {
      Optional<CachedToken> token = fetched.token();
      if (token.isPresent() && token.get().isServableAt(clock.instant(), minRemaining)) {
        entries.put(key, token.get());
      }
    }
    flights.remove(key, flight);
    if (failure != null) {
      flight.completeExceptionally(failure instanceof CompletionException && failure.getCause() != null
          ? failure.getCause()
          : failure);
    } else {
      flight.complete(fetched);
    }
  }

  /** Caffeine measures time in nanoseconds; ours comes from the injected clock. */
  private static Ticker ticker(InstantSource clock) {
    return () -> toNanos(clock.instant());
  }

  private static long toNanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }

  /** An entry lives until its token has only {@code minRemaining} left. */
  private static final class UsableLife implements Expiry<CacheKey, CachedToken> {
    private final Duration minRemaining;

    UsableLife(Duration minRemaining) {
      this.minRemaining = minRemaining;
    }

    @Override
    public long expireAfterCreate(CacheKey key, CachedToken token, long currentTime) {
      long usableUntil = toNanos(token.expiresAt().minus(minRemaining));
      return Math.max(0, usableUntil - currentTime);
    }

    @Override
    public long expireAfterUpdate(CacheKey key, CachedToken token, long currentTime, long currentDuration) {
      return expireAfterCreate(key, token, currentTime);
    }

    @Override
    public long expireAfterRead(CacheKey key, CachedToken token, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }
}
