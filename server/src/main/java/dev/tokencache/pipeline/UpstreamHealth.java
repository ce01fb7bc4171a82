package dev.tokencache.pipeline;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of the authorization server as a whole, from the answers of every fetch: healthy, failing (its
 * last fetch failed), or paused (it answered 429 or sent {@code Retry-After}: no request to it at all until the
 * pause ends). Logs one line when it starts failing, one when a pause starts, one when it recovers: never one
 * per request.
 *
 * <p>Thread-safe: transitions are synchronized (they happen once per fetch, not per request); the pause is a
 * volatile read on the request path.
 */
final class UpstreamHealth {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamHealth.class);

  /** The upstream's state, as the {@code tokencache_upstream_state} gauge reports it. */
  enum State { HEALTHY, FAILING, PAUSED }

  /** A pause in force: until when, and the failure that caused it (replayed to requests without a token). */
  record Pause(Instant until, Failure cause) {}

  private final URI tokenUrl;
  private final Backoff backoff;
  private volatile Optional<Pause> pause = Optional.empty();
  private volatile Optional<Failure> lastFailure = Optional.empty();
  private volatile Optional<String> notOAuth = Optional.empty();
  private final java.util.concurrent.atomic.LongAdder notOAuthAnswers = new java.util.concurrent.atomic.LongAdder();
  private int failuresInARow;
  private int throttlesInARow;
  private Instant failingSince = Instant.MIN;

  UpstreamHealth(URI tokenUrl, Backoff backoff) {
    this.tokenUrl = tokenUrl;
    this.backoff = backoff;
  }

  /** The pause in force at {@code now}, if any. */
  Optional<Pause> pauseAt(Instant now) {
    Optional<Pause> current = pause;
    return current.isPresent() && now.isBefore(current.get().until()) ? current : Optional.empty();
  }

  /**
   * A fetch got an answer that is not a failure.
   *
   * @return whether the upstream was failing until now (it has recovered)
   */
  synchronized boolean answered(Instant now) {
    notOAuth = Optional.empty();
    boolean recovered = failuresInARow > 0;
    if (recovered) {
      LOG.info("authorization server {} answers again, after {} failed requests in {} s", address(), failuresInARow,
          Duration.between(failingSince, now).toSeconds());
    }
    failuresInARow = 0;
    throttlesInARow = 0;
    lastFailure = Optional.empty();
    pause = Optional.empty();
    return recovered;
  }

  /**
   * A fetch failed. A throttling answer or a {@code Retry-After} pauses the whole upstream, for what it asked
   * (capped) or for the next backoff step of throttling answers in a row.
   */
  synchronized void failed(Failure failure, Optional<Duration> retryAfter, Instant now) {
    if (failuresInARow == 0) {
      failingSince = now;
      LOG.warn("authorization server {} is failing: {}; answering from the cache where a valid token exists, "
          + "and backing off per key", address(), failure.describe());
    }
    failuresInARow++;
    lastFailure = Optional.of(failure);
    if (failure.throttled() || retryAfter.isPresent()) {
      throttlesInARow++;
      Duration wait = backoff.delay(throttlesInARow, retryAfter);
      if (pauseAt(now).isEmpty()) {
        LOG.warn("authorization server {} asked to slow down ({}): no requests to it for {} ms", address(),
            failure.describe(), wait.toMillis());
      }
      Instant until = now.plus(wait);
      Optional<Pause> current = pause;
      if (current.isEmpty() || until.isAfter(current.get().until())) {
        pause = Optional.of(new Pause(until, failure));
      }
    }
  }

  /**
   * The upstream answered, but not as a token endpoint does: a configuration mistake more likely than an outage.
   * Logged once until a proper answer comes; counted; reported by {@link #problem} (readiness: degraded).
   */
  synchronized void answeredNotOAuth(String why) {
    notOAuthAnswers.increment();
    if (notOAuth.isEmpty()) {
      LOG.warn("authorization server {} answers like no OAuth2 token endpoint: {}", address(), why);
    }
    notOAuth = Optional.of(why);
  }

  /** Answers that no token endpoint gives, since start. */
  long notOAuthAnswers() {
    return notOAuthAnswers.sum();
  }

  /** The state at {@code now}. */
  State stateAt(Instant now) {
    if (pauseAt(now).isPresent()) {
      return State.PAUSED;
    }
    return lastFailure.isPresent() ? State.FAILING : State.HEALTHY;
  }

  /** Why the upstream is not healthy, for readiness; empty while it is. Never a secret or a body. */
  Optional<String> problem(Instant now) {
    Optional<Pause> paused = pauseAt(now);
    if (paused.isPresent()) {
      return Optional.of("paused for " + Duration.between(now, paused.get().until()).toSeconds()
          + " s after " + paused.get().cause().describe());
    }
    if (lastFailure.isPresent()) {
      return lastFailure.map(f -> "failing: " + f.describe());
    }
    return notOAuth.map(why -> "not an OAuth2 token endpoint? " + why);
  }

  private String address() {
    return tokenUrl.getHost() + (tokenUrl.getPort() > 0 ? ":" + tokenUrl.getPort() : "");
  }
}
