package dev.tokencache.cache;

import dev.tokencache.token.CachedToken;
import dev.tokencache.upstream.UpstreamResponse;
import java.time.Instant;
import java.util.Optional;

/**
 * The answer of one fetch, shared by every request that waited for it: from the authorization server, or a
 * token another instance stored in the shared tier.
 *
 * @param response what the authorization server answered, or {@code null} when the token came from the shared
 *     tier
 * @param token the token, when it is one that can be served again (always present without a response)
 */
public record Fetched(UpstreamResponse response, Optional<CachedToken> token) {

  /** Reads the response; only a 200 can hold a token. {@code sentAt} is when the request left. */
  public static Fetched of(UpstreamResponse response, Instant sentAt) {
    Optional<CachedToken> token = response.status() == 200
        ? CachedToken.fromResponse(response.body(), sentAt)
        : Optional.empty();
    return new Fetched(response, token);
  }

  /** A token found in the shared tier; no upstream exchange. */
  public static Fetched shared(CachedToken token) {
    return new Fetched(null, Optional.of(token));
  }

  /** How long the upstream exchange took, or -1 when there was none. */
  public long upstreamNanos() {
    return response == null ? -1 : response.elapsedNanos();
  }
}
