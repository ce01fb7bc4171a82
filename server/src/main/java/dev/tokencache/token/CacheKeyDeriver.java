package dev.tokencache.token;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Derives {@link CacheKey}s: HMAC-SHA256, under a server-side secret, of the upstream URL, the grant type,
 * the client id, the client secret, the canonical scope set and every other parameter. Each field is
 * length-prefixed, so no two different requests share an encoding. A request with the right client id and
 * a wrong secret therefore lands on another key and never sees the right secret's token.
 *
 * <p>Thread-safe: each thread keeps its own {@link Mac}.
 */
public final class CacheKeyDeriver {
  private static final String ALGORITHM = "HmacSHA256";
  private static final byte VERSION = 1;

  /** A thread's MAC and a scratch buffer for length prefixes (no allocation per field). */
  private static final class Hasher {
    final Mac mac;
    final byte[] scratch = new byte[Integer.BYTES];

    Hasher(Mac mac) {
      this.mac = mac;
    }
  }

  private final ThreadLocal<Hasher> hashers;
  private final byte[] upstream;

  /**
   * @param keySecret the HMAC key (at least 16 bytes)
   * @param upstreamUrl the token endpoint the keys are for; part of every key
   */
  public CacheKeyDeriver(byte[] keySecret, String upstreamUrl) {
    if (keySecret.length < 16) {
      throw new IllegalArgumentException("cache key secret: expected at least 16 bytes");
    }
    SecretKeySpec key = new SecretKeySpec(keySecret.clone(), ALGORITHM);
    this.hashers = ThreadLocal.withInitial(() -> new Hasher(newMac(key)));
    newMac(key); // fail now, not on the first request, if the JVM lacks the algorithm
    this.upstream = upstreamUrl.getBytes(StandardCharsets.UTF_8);
  }

  private static Mac newMac(SecretKeySpec key) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(ALGORITHM + " is not available", e);
    }
  }

  /** The key for a canonical request. */
  public CacheKey keyFor(TokenRequest request) {
    Hasher mac = hashers.get();
    mac.mac.update(VERSION);
    field(mac, upstream);
    field(mac, TokenRequest.GRANT_TYPE);
    field(mac, request.credentials().clientId());
    field(mac, request.credentials().clientSecret());
    field(mac, request.scopes().size());
    request.scopes().forEach(scope -> field(mac, scope));
    field(mac, request.parameters().size());
    for (Map.Entry<String, String> parameter : request.parameters().entrySet()) {
      field(mac, parameter.getKey());
      field(mac, parameter.getValue());
    }
    return new CacheKey(mac.mac.doFinal());
  }

  private static void field(Hasher mac, String value) {
    field(mac, value.getBytes(StandardCharsets.UTF_8));
  }

  private static void field(Hasher mac, byte[] value) {
    field(mac, value.length);
    mac.mac.update(value);
  }

  private static void field(Hasher mac, int number) {
    byte[] scratch = mac.scratch;
    scratch[0] = (byte) (number >>> 24);
    scratch[1] = (byte) (number >>> 16);
    scratch[2] = (byte) (number >>> 8);
    scratch[3] = (byte) number;
    mac.mac.update(scratch);
  }
}
