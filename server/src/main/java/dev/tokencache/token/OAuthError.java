package dev.tokencache.token;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An error answered by the proxy itself, as RFC 6749 §5.2 JSON. The description is written by us and never
 * contains a secret, a token or a value the client sent, beyond a parameter name.
 *
 * @param status the HTTP status
 * @param error the RFC 6749 error code
 * @param description a human-readable explanation
 */
public record OAuthError(int status, String error, String description) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static OAuthError invalidRequest(String description) {
    return new OAuthError(400, "invalid_request", description);
  }

  /** 401: the caller must authenticate with HTTP Basic (the response carries {@code WWW-Authenticate}). */
  public static OAuthError invalidClient(String description) {
    return new OAuthError(401, "invalid_client", description);
  }

  public static OAuthError unsupportedGrantType(String description) {
    return new OAuthError(400, "unsupported_grant_type", description);
  }

  public static OAuthError upstreamUnavailable(String description) {
    return new OAuthError(502, "temporarily_unavailable", description);
  }

  /** 429: over an upstream request budget; the response carries {@code Retry-After}. */
  public static OAuthError slowDown(String description) {
    return new OAuthError(429, "slow_down", description);
  }

  public static OAuthError upstreamTimeout(String description) {
    return new OAuthError(504, "temporarily_unavailable", description);
  }

  /** Whether the response must carry a {@code WWW-Authenticate: Basic} challenge. */
  public boolean challengesBasic() {
    return status == 401;
  }

  /** The RFC 6749 §5.2 body: {@code {"error":...,"error_description":...}}. */
  public byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(JSON.createObjectNode().put("error", error).put("error_description", description));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static OAuthError invalidScope(String description) {
    return new OAuthError(400, "invalid_scope", description);
  }
}
