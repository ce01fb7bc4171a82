package dev.tokencache.token;

import java.util.Objects;

/**
 * A client's id and secret, as the authorization server will see them (already decoded from any
 * form-urlencoding of a Basic header). {@code toString()} masks the secret.
 */
public record ClientCredentials(String clientId, String clientSecret) {
  public ClientCredentials {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(clientSecret, "clientSecret");
  }

  @Override
  public String toString() {
    return "ClientCredentials[clientId=" + clientId + ", clientSecret=<masked>]";
  }
}
