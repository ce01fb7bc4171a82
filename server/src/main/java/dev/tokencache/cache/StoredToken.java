package dev.tokencache.cache;

import dev.tokencache.token.CachedToken;
import java.time.Instant;

/**
 * A token as the cache holds it, with its three instants worked out once when it is stored, so that a hit
 * compares instants and computes nothing.
 *
 * @param clientId whose token it is: the per-client bound counts by it
 * @param token the token
 * @param freshUntil served as a hit up to and including this instant ({@link CachedToken#freshUntil})
 * @param staleUntil served as stale before this instant, when no new token can be had
 *     ({@link CachedToken#staleUntil()}); the entry is dropped then
 * @param refreshAt a hit from this instant on starts one background refresh (refresh ahead, with jitter)
 */
public record StoredToken(String clientId, CachedToken token, Instant freshUntil, Instant staleUntil,
    Instant refreshAt) {

  /** Whether {@code now} is inside the ordinary serving window. */
  public boolean isFreshAt(Instant now) {
    return !now.isAfter(freshUntil);
  }

  /** Whether the token may still be served at {@code now}, if only as stale. */
  public boolean isValidAt(Instant now) {
    return now.isBefore(staleUntil);
  }

  /** Whether a hit at {@code now} should refresh the token in the background. */
  public boolean isDueForRefreshAt(Instant now) {
    return !now.isBefore(refreshAt);
  }
}
