package dev.tokencache.pipeline;

import dev.tokencache.upstream.UpstreamResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What the pipeline remembers about one key besides its token: its current hold, how many fetches in a row
 * failed, and when it was last force-refreshed. Immutable; replaced as a whole.
 *
 * @param failures fetches in a row that failed (the backoff step)
 * @param hold why no upstream request may be made for the key, and until when; empty when none
 * @param lastForcedRefresh when a forced refresh of the key last went upstream; {@link Instant#MIN} if never
 */
record KeyState(int failures, Optional<Hold> hold, Instant lastForcedRefresh) {

  static final KeyState NONE = new KeyState(0, Optional.empty(), Instant.MIN);

  /** Why requests for a key are answered without asking the upstream, until {@link #until()}. */
  sealed interface Hold {
    Instant until();

    /** The key backs off after {@code last}; its requests get a valid token, or {@code last} again. */
    record Backoff(Failure last, Instant until) implements Hold {}

    /** The upstream refused these credentials or this request; {@code answer} is replayed. */
    record Negative(UpstreamResponse answer, Instant until) implements Hold {}
  }

  /** The hold in force at {@code now}. */
  Optional<Hold> holdAt(Instant now) {
    return hold.filter(h -> now.isBefore(h.until()));
  }

  /** Whether a forced refresh at {@code now} is inside the window of the previous one. */
  boolean forcedRefreshWithin(Duration interval, Instant now) {
    return lastForcedRefresh != Instant.MIN && now.isBefore(lastForcedRefresh.plus(interval));
  }

  KeyState withForcedRefresh(Instant now) {
    return new KeyState(failures, hold, now);
  }

  /** A fetch answered: no failures, no hold. */
  KeyState answered() {
    return new KeyState(0, Optional.empty(), lastForcedRefresh);
  }

  KeyState held(Hold next, int failureCount) {
    return new KeyState(failureCount, Optional.of(next), lastForcedRefresh);
  }

  /** Roughly the heap this state takes: the remembered answer's body, and the objects around it. */
  int heapBytes() {
    int body = hold.map(h -> h instanceof Hold.Negative negative ? negative.answer().body().length
        : ((Hold.Backoff) h).last() instanceof Failure.ErrorAnswer error ? error.response().body().length : 0)
        .orElse(0);
    return 300 + body;
  }

  /** Until when this state matters; after that it can be forgotten. */
  Instant relevantUntil(Duration forceRefreshInterval, Duration backoffMax) {
    Instant forced = lastForcedRefresh == Instant.MIN ? Instant.EPOCH : lastForcedRefresh.plus(forceRefreshInterval);
    // failures count toward the next step for a while after the hold ends, so steps keep growing in an outage
    Instant held = hold.map(h -> h.until().plus(backoffMax)).orElse(Instant.EPOCH);
    return forced.isAfter(held) ? forced : held;
  }
}
