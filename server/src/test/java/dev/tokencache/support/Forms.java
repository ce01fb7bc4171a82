package dev.tokencache.support;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Small helpers to write requests as clients do. */
public final class Forms {
  private Forms() {}

  public static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** RFC 6749 §2.3.1 Basic credentials. */
  public static String basic(String id, String secret) {
    String pair = enc(id) + ":" + enc(secret);
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }
}
