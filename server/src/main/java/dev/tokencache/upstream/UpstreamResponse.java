package dev.tokencache.upstream;

import org.jspecify.annotations.Nullable;

/**
 * What the authorization server answered.
 *
 * @param status HTTP status
 * @param contentType its {@code Content-Type}, or {@code null}
 * @param wwwAuthenticate its {@code WWW-Authenticate}, or {@code null}; passed back on a 401
 * @param retryAfter its {@code Retry-After}, or {@code null}
 * @param body the body, possibly empty; may hold a token, so {@code toString()} leaves it out
 * @param elapsedNanos how long the exchange took
 */
public record UpstreamResponse(int status, @Nullable String contentType, @Nullable String wwwAuthenticate,
    @Nullable String retryAfter, byte[] body,
    long elapsedNanos) {
  @Override
  public String toString() {
    return "UpstreamResponse[status=" + status + ", contentType=" + contentType + ", bodyBytes=" + body.length + "]";
  }
}
