package dev.tokencache.request;

import dev.tokencache.token.TokenRequest;

/** What a valid request to the token endpoint asks for. */
public sealed interface ParsedRequest {

  /** A client-credentials request: served from the cache. */
  record ClientCredentialsGrant(TokenRequest request) implements ParsedRequest {}

  /**
   * Any other grant type: passed through uncached, or refused, by policy.
   *
   * @param clientId the client id the request names (Basic header or {@code client_id}), for its upstream budget;
   *     "" when it names none or the header cannot be read (the upstream will say so)
   */
  record OtherGrant(String grantType, String clientId) implements ParsedRequest {
    @Override
    public String toString() {
      return "OtherGrant[" + FormParameters.printable(grantType) + "]";
    }
  }
}
