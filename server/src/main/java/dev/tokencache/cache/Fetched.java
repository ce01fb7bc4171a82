package dev.tokencache.cache;

import dev.tokencache.token.CachedToken;
import dev.tokencache.upstream.UpstreamResponse;
import java.time.Instant;
import java.util.Optional;

/**
 * The answer of one upstream fetch, shared by every request that waited for it.
 *
 * @param response what the authorization server answered
 * @param token the token read from a 200 response, when it is one that can be served again
 */
public record Fetched(UpstreamResponse response, Optional<CachedToken> token) {

  /** Reads the response; only a 200 can hold a token. {@code sentAt} is when the request left. */
  static Fetched of(UpstreamResponse response, Instant sentAt) {
    Optional<CachedToken> token = response.status() == 200
        ? CachedToken.fromResponse(response.body(), sentAt)
        : Optional.empty();
    return new Fetched(response, token);
  }
}
