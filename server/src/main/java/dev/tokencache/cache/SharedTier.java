package dev.tokencache.cache;

import dev.tokencache.token.CacheKey;
import dev.tokencache.token.CachedToken;
import dev.tokencache.token.TokenRequest;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A cache tier shared between instances, behind the local one. {@link TokenCache} calls it for every fetch
 * (first miss, refresh ahead, forced refresh) instead of calling the upstream directly; the tier decides whether
 * a token another instance stored will do, or whether to fetch (once across instances) and share the result.
 *
 * <p>Contract: a tier never fails a request because it is itself unavailable. The returned stage fails only
 * when {@code upstream} fails.
 */
public interface SharedTier {

  /** Why a fetch is made. */
  enum Reason {
    /** No usable token in this instance. */
    MISS,
    /** The local token passed {@code cache.refresh-ahead} of its life; a newer shared one is as good. */
    REFRESH_AHEAD,
    /** The client asked for a new token ({@code Cache-Control: no-cache}): must go upstream. */
    FORCED
  }

  /**
   * @param key the request's cache key
   * @param request the canonical request (its client secret keys any encryption)
   * @param reason why the fetch is made
   * @param current the token this instance holds, or {@code null}
   * @param upstream fetches from the authorization server; call at most once
   */
  CompletionStage<Fetched> load(CacheKey key, TokenRequest request, Reason reason, CachedToken current,
      Supplier<CompletionStage<Fetched>> upstream);

  /** Running counts of what the tier did, for metrics; {@code null} when there is no tier. */
  default Stats stats() {
    return null;
  }

  /**
   * Counts since start: {@code hits}, fetches answered with a token another instance stored; {@code misses},
   * fetches the tier passed on to the authorization server; {@code failures}, commands that failed, timed out,
   * or were skipped while the tier was down.
   */
  interface Stats {
    long hits();

    long misses();

    long failures();
  }

  /** {@code null} when the tier works, else why not (for readiness; never a secret). */
  default String problem() {
    return null;
  }

  /** No shared tier: every fetch goes upstream. */
  SharedTier NONE = (key, request, reason, current, upstream) -> upstream.get();
}
