package dev.tokencache.origin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Compares a presented secret with the accepted ones in constant time: both sides are hashed (so neither the
 * content nor the length of an accepted value shows in the timing) and every accepted value is compared, with
 * no early exit.
 */
public final class SecretMatcher {
  private SecretMatcher() {}

  public static boolean matchesAny(String presented, List<String> accepted) {
    if (presented == null) {
      return false;
    }
    byte[] candidate = sha256(presented);
    boolean match = false;
    for (String value : accepted) {
      match |= MessageDigest.isEqual(candidate, sha256(value));
    }
    return match;
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
