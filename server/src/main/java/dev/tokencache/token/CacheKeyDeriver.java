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

  /**
   * A thread's MAC and the buffer the request's fields are encoded into, so that the MAC is fed once per request
   * (each {@code Mac.update} call costs a trip through the provider) and nothing is allocated per field.
   */
  private static final class Hasher {
    final Mac mac;
    byte[] buffer = new byte[512];
    int length;

    Hasher(Mac mac) {
      this.mac = mac;
    }

    void bytes(byte[] value) {
      number(value.length);
      ensure(value.length);
      System.arraycopy(value, 0, buffer, length, value.length);
      length += value.length;
    }

    /** As {@code bytes(value.getBytes(UTF_8))}, without the copy when the value is ASCII (the usual case). */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): the low byte of each char, no allocation
    void string(String value) {
      int n = value.length();
      for (int i = 0; i < n; i++) {
        if (value.charAt(i) >= 0x80) {
          bytes(value.getBytes(StandardCharsets.UTF_8));
          return;
        }
      }
      number(n);
      ensure(n);
      value.getBytes(0, n, buffer, length);
      length += n;
    }

    void number(int number) {
      ensure(Integer.BYTES);
      buffer[length++] = (byte) (number >>> 24);
      buffer[length++] = (byte) (number >>> 16);
      buffer[length++] = (byte) (number >>> 8);
      buffer[length++] = (byte) number;
    }

    private void ensure(int more) {
      if (length + more > buffer.length) {
        buffer = java.util.Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
      }
    }

    byte[] digest() {
      mac.update(buffer, 0, length);
      java.util.Arrays.fill(buffer, 0, length, (byte) 0); // the client secret does not outlive the request here
      length = 0;
      return mac.doFinal();
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
    Hasher hasher = hashers.get();
    hasher.ensure(1);
    hasher.buffer[hasher.length++] = VERSION;
    hasher.bytes(upstream);
    hasher.string(TokenRequest.GRANT_TYPE);
    hasher.string(request.credentials().clientId());
    hasher.string(request.credentials().clientSecret());
    hasher.number(request.scopes().size());
    for (String scope : request.scopes()) {
      hasher.string(scope);
    }
    hasher.number(request.parameters().size());
    for (Map.Entry<String, String> parameter : request.parameters().entrySet()) {
      hasher.string(parameter.getKey());
      hasher.string(parameter.getValue());
    }
    return new CacheKey(hasher.digest());
  }
}
