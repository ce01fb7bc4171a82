package dev.tokencache.http;

import org.jspecify.annotations.Nullable;
import dev.tokencache.cache.CacheResult;
import java.time.Instant;

/**
 * What happened to one request on the token listener, for metrics and the access log. Holds no secret, token
 * or header value: the client id and the scope are identifiers, not credentials.
 *
 * @param time when the request arrived
 * @param requestId the client's {@code X-Request-Id} when it sent a sane one, else one made here
 * @param clientIp the peer address
 * @param method HTTP method
 * @param path the path, without the query string (which may hold credentials)
 * @param upstream the name of the upstream the path routes to ({@code default} for {@code upstream.token-url}),
 *     or {@code none} for a path that routes nowhere
 * @param status the status answered
 * @param result how the cache answered
 * @param proxyError whether the proxy itself refused or failed the request (bad input, 502, 504)
 * @param durationNanos from arrival to the end of the answer
 * @param upstreamNanos the upstream exchange this answer came from, or -1 when none
 * @param clientId the client id, or {@code null} when unknown
 * @param scopes the requested scopes in canonical order (empty when none or unknown); joined only by whoever
 *     needs the text ({@link #scope()}), so a request whose record nobody prints pays nothing for it
 */
public record RequestRecord(Instant time, String requestId, @Nullable String clientIp, String method, String path,
    String upstream, int status,
    CacheResult result, boolean proxyError, long durationNanos, long upstreamNanos, @Nullable String clientId,
    java.util.SortedSet<String> scopes) {

  /** The canonical scope: the scopes joined by spaces, or {@code null} when there are none. */
  public @Nullable String scope() {
    return scopes.isEmpty() ? null : String.join(" ", scopes);
  }
}
