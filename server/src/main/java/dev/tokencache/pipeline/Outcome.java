package dev.tokencache.pipeline;

import dev.tokencache.token.CachedToken;
import dev.tokencache.upstream.UpstreamResponse;
import java.time.Instant;

/**
 * The outcome of one flight, shared by every request that waited for it; each maps it to its own {@link Answer}
 * (the one that started the flight is a miss, the others coalesced).
 */
sealed interface Outcome {

  /**
   * A token for everyone.
   *
   * @param fetched whether it came from the upstream now (else it was found: stored by a flight that had just
   *     finished, or by another instance in the shared store)
   */
  record Token(CachedToken token, boolean fetched, long upstreamNanos) implements Outcome {}

  /** An upstream answer without a cacheable token, passed on. */
  record Passed(UpstreamResponse response) implements Outcome {}

  /** The fetch failed; the key may be asked again from {@code retryAt}. */
  record Failed(Failure failure, Instant retryAt) implements Outcome {}

  /** No fetch was made: over an upstream request budget. */
  record Limited(Budgets.Refusal refusal) implements Outcome {}

  /** No fetch was made: the key is held (by another instance's failure, or a negative answer). */
  record Held(KeyState.Hold hold) implements Outcome {}
}
