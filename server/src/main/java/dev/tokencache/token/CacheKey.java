package dev.tokencache.token;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The HMAC of a canonical token request (see {@link CacheKeyDeriver}). It reveals nothing about the
 * credentials or the scopes, so it may appear in logs and in a shared store.
 */
public final class CacheKey {
  private final byte[] digest;
  private final int hash;

  CacheKey(byte[] digest) {
    this.digest = digest.clone();
    this.hash = Arrays.hashCode(digest);
  }

  /** Lower-case hex of the digest. */
  public String hex() {
    return HexFormat.of().formatHex(digest);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CacheKey that && Arrays.equals(digest, that.digest);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return "CacheKey[" + hex().substring(0, 12) + "…]";
  }
}
