package dev.tokencache.pipeline;

import dev.tokencache.cache.CacheResult;
import dev.tokencache.token.CachedToken;
import dev.tokencache.upstream.UpstreamFailure;
import dev.tokencache.upstream.UpstreamResponse;
import java.time.Duration;
import java.util.Optional;

/** What the pipeline answers a request with; the HTTP layer writes it. Never a failure: every outcome is one of these. */
public sealed interface Answer {

  /** How the request was answered (metrics, access log, {@code X-Token-Cache}). */
  CacheResult result();

  /** The upstream exchange this answer came from, or -1 when it made none. */
  long upstreamNanos();

  /** A token to render with its seconds left. */
  record Token(CachedToken token, CacheResult result, long upstreamNanos) implements Answer {}

  /**
   * An upstream answer passed on as it came (an error, or a 200 that is not a cacheable token).
   *
   * @param retryAfter sent as {@code Retry-After} when present (the time until the key or upstream may be asked
   *     again); when empty, the upstream's own {@code Retry-After} on a 429 or 503 is passed on
   */
  record Passed(UpstreamResponse response, CacheResult result, Optional<Duration> retryAfter, long upstreamNanos)
      implements Answer {}

  /** Over an upstream request budget: 429 {@code slow_down} with {@code Retry-After}, no upstream request. */
  record Limited(Budgets.Scope scope, Duration retryAfter) implements Answer {
    @Override
    public CacheResult result() {
      return CacheResult.LIMITED;
    }

    @Override
    public long upstreamNanos() {
      return -1;
    }

    /** Whose budget: the client's own ({@code client}) or the instance's ({@code total}). */
    public String budget() {
      return scope == Budgets.Scope.CLIENT ? "client" : "total";
    }
  }

  /** No upstream answer: 502 or 504 written by the proxy, with {@code Retry-After} when the key backs off. */
  record Unavailable(UpstreamFailure failure, CacheResult result, Optional<Duration> retryAfter, long upstreamNanos)
      implements Answer {}
}
