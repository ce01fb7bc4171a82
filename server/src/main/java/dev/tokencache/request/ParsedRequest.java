package dev.tokencache.request;

import dev.tokencache.token.TokenRequest;

/** What a valid request to the token endpoint asks for. */
public sealed interface ParsedRequest {

  /** A client-credentials request: served from the cache. */
  record ClientCredentialsGrant(TokenRequest request) implements ParsedRequest {}

  /** Any other grant type: passed through uncached, or refused, by policy. */
  record OtherGrant(String grantType) implements ParsedRequest {
    @Override
    public String toString() {
      return "OtherGrant[" + FormParameters.printable(grantType) + "]";
    }
  }
}
