package dev.tokencache.request;

import org.jspecify.annotations.Nullable;
import dev.tokencache.token.OAuthError;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * Strict {@code application/x-www-form-urlencoded} parsing as RFC 6749 expects of a token request: a
 * repeated parameter is an error (§3.2), a parameter without a value counts as absent (§3.1), and a broken
 * percent-escape is an error rather than a guess.
 */
final class FormParameters {
  private FormParameters() {}

  /**
   * Parses {@code encoded} (may be {@code null} or empty).
   *
   * @throws InvalidTokenRequest {@code invalid_request} for a repeated name, an empty name or a bad escape
   */
  static Map<String, String> parse(@Nullable String encoded, String where) {
    if (encoded == null || encoded.isEmpty()) {
      return Collections.emptyMap();
    }
    Map<String, String> parameters = new HashMap<>(8);
    int start = 0;
    while (start <= encoded.length()) {
      int end = encoded.indexOf('&', start);
      if (end < 0) {
        end = encoded.length();
      }
      if (end > start) {
        int equals = encoded.indexOf('=', start);
        boolean hasValue = equals >= 0 && equals < end;
        String name = decode(encoded.substring(start, hasValue ? equals : end), where);
        String value = hasValue ? decode(encoded.substring(equals + 1, end), where) : "";
        if (name.isEmpty()) {
          throw new InvalidTokenRequest(OAuthError.invalidRequest("a parameter in the " + where + " has no name"));
        }
        if (parameters.put(name, value) != null) {
          throw new InvalidTokenRequest(OAuthError.invalidRequest(
              "parameter " + printable(name) + " is repeated in the " + where));
        }
      }
      start = end + 1;
    }
    parameters.values().removeIf(String::isEmpty);
    return parameters;
  }

  private static String decode(String text, String where) {
    if (text.indexOf('%') < 0 && text.indexOf('+') < 0) {
      return text; // nothing to decode: the common case, without a copy
    }
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new InvalidTokenRequest(OAuthError.invalidRequest("the " + where + " is not valid form encoding"));
    }
  }

  /** A parameter name fit for an error message: short, and only harmless characters. */
  static String printable(String name) {
    String clipped = name.length() > 40 ? name.substring(0, 40) + "…" : name;
    return clipped.replaceAll("[^A-Za-z0-9_.:-]", "?");
  }
}
