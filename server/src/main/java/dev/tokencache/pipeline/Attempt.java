package dev.tokencache.pipeline;

import dev.tokencache.token.CachedToken;
import dev.tokencache.upstream.RetryAfter;
import dev.tokencache.upstream.UpstreamFailure;
import dev.tokencache.upstream.UpstreamResponse;
import io.vertx.core.AsyncResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What one upstream token request came to, classified for the cache, the key's state and the upstream's health. */
sealed interface Attempt {

  /** A 200 with a token that can be served again. */
  record Fetched(CachedToken token, UpstreamResponse response) implements Attempt {}

  /** An answer that is passed through and not remembered: a 200 that is no token, or an unremarkable error. */
  record Answered(UpstreamResponse response) implements Attempt {}

  /** A 400/401 about the credentials or the request: replayed for {@code cache.negative-ttl}. */
  record Rejected(UpstreamResponse response) implements Attempt {}

  /**
   * The upstream is failing or throttling.
   *
   * @param retryAfter what its {@code Retry-After} asked for, if it sent one
   */
  record Failed(Failure failure, Optional<Duration> retryAfter) implements Attempt {}

  /** RFC 6749 §5.2 errors that say the credentials or the request are wrong: asking again will not help. */
  Set<String> NEGATIVE_ERRORS = Set.of("invalid_client", "unauthorized_client", "invalid_scope", "invalid_request");

  /**
   * Classifies what the upstream did.
   *
   * @param sentAt when the request left (a token's expiry counts from then: it errs short)
   * @param now when the outcome arrived (for an HTTP-date {@code Retry-After})
   */
  static Attempt classify(AsyncResult<UpstreamResponse> outcome, Instant sentAt, Instant now) {
    Optional<Failed> failed = failureOf(outcome, now);
    if (failed.isPresent()) {
      return failed.get();
    }
    UpstreamResponse response = outcome.result();
    int status = response.status();
    if (status == 200) {
      Optional<CachedToken> token = CachedToken.fromResponse(response.body(), sentAt);
      return token.<Attempt>map(t -> new Fetched(t, response)).orElseGet(() -> new Answered(response));
    }
    if ((status == 400 || status == 401) && oauthError(response.body()).filter(NEGATIVE_ERRORS::contains).isPresent()) {
      return new Rejected(response);
    }
    return new Answered(response);
  }

  /**
   * The failure in what the upstream did, if it is one (no answer, 5xx, 408, 429, a throttling error); reads no
   * token, so it suits answers that are passed on whatever they hold (other grant types).
   */
  static Optional<Failed> failureOf(AsyncResult<UpstreamResponse> outcome, Instant now) {
    if (outcome.failed()) {
      UpstreamFailure failure = outcome.cause() instanceof UpstreamFailure f
          ? f
          : new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE, "the upstream request failed unexpectedly");
      return Optional.of(new Failed(new Failure.NoAnswer(failure), Optional.empty()));
    }
    UpstreamResponse response = outcome.result();
    int status = response.status();
    boolean throttled = status == 429 || (status >= 400 && mentionsThrottling(response.body()));
    if (throttled || status >= 500 || status == 408) {
      return Optional.of(new Failed(new Failure.ErrorAnswer(response, throttled),
          RetryAfter.parse(response.retryAfter(), now)));
    }
    return Optional.empty();
  }

  private static boolean mentionsThrottling(byte[] body) {
    String text = new String(body, 0, Math.min(body.length, 4096), StandardCharsets.UTF_8);
    return text.contains("TooManyRequestsException") || text.contains("\"slow_down\"");
  }

  /** The {@code error} member of an RFC 6749 §5.2 body, read without a JSON tree (bodies are small). */
  Pattern ERROR_MEMBER = Pattern.compile("\"error\"\\s*:\\s*\"([A-Za-z0-9_.-]{1,64})\"");

  private static Optional<String> oauthError(byte[] body) {
    Matcher matcher = ERROR_MEMBER.matcher(new String(body, 0, Math.min(body.length, 4096), StandardCharsets.UTF_8));
    return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
  }
}
