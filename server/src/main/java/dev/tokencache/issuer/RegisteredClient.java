package dev.tokencache.issuer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.Set;

/**
 * A client the development issuer knows: its id, its secret and the scopes it may ask for. {@code toString()}
 * masks the secret.
 */
public record RegisteredClient(String id, String secret, Set<String> scopes) {
  public RegisteredClient {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(secret, "secret");
    scopes = Set.copyOf(scopes);
    if (id.isEmpty() || secret.isEmpty()) {
      throw new IllegalArgumentException("a client needs a non-empty id and secret");
    }
  }

  /** Compares in time independent of where the strings differ. */
  public boolean secretMatches(String candidate) {
    return MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8), candidate.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "RegisteredClient[id=" + id + ", secret=<masked>, scopes=" + scopes + "]";
  }
}
