package dev.tokencache.pipeline;

import dev.tokencache.cache.CacheResult;
import dev.tokencache.upstream.UpstreamFailure;
import dev.tokencache.upstream.UpstreamResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * A fetch that failed in a way that puts the key in backoff: no answer at all, or an answer that says the
 * authorization server is failing or throttling (5xx, 429, Cognito's {@code TooManyRequestsException}).
 */
public sealed interface Failure {

  /** What happened, for log lines and readiness: a status or what the connection did, never a body. */
  String describe();

  /** Whether the upstream asked to slow down: such a failure pauses the whole upstream, not only the key. */
  boolean throttled();

  /** How long the failed exchange took. */
  long elapsedNanos();

  /**
   * This failure as a request's answer: the upstream's error passed on as it came, or 502/504 written by the proxy.
   *
   * @param retryAfter the time until the key or the upstream may be asked again, when known
   */
  Answer answer(CacheResult result, Optional<Duration> retryAfter, long upstreamNanos);

  /** The upstream answered, with an error status. Replayed as it came while the key backs off. */
  record ErrorAnswer(UpstreamResponse response, boolean throttled) implements Failure {
    @Override
    public String describe() {
      return "status " + response.status() + (throttled ? " (throttled)" : "");
    }

    @Override
    public long elapsedNanos() {
      return response.elapsedNanos();
    }

    @Override
    public Answer answer(CacheResult result, Optional<Duration> retryAfter, long upstreamNanos) {
      return new Answer.Passed(response, result, retryAfter, upstreamNanos);
    }
  }

  /** No answer: refused, reset, unknown host, timed out. Replayed as 502 or 504 while the key backs off. */
  record NoAnswer(UpstreamFailure failure) implements Failure {
    @Override
    public String describe() {
      return failure.description();
    }

    @Override
    public boolean throttled() {
      return false;
    }

    @Override
    public long elapsedNanos() {
      return failure.elapsedNanos();
    }

    @Override
    public Answer answer(CacheResult result, Optional<Duration> retryAfter, long upstreamNanos) {
      return new Answer.Unavailable(failure, result, retryAfter, upstreamNanos);
    }
  }
}
