package dev.tokencache.request;

import org.jspecify.annotations.Nullable;
import dev.tokencache.token.ClientCredentials;
import dev.tokencache.token.OAuthError;
import dev.tokencache.token.TokenRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The one place where an HTTP request to the token endpoint becomes a canonical {@link TokenRequest}.
 *
 * <p>Accepts the three ways of the AWS sample: HTTP Basic credentials with a form body; credentials in the
 * form body; credentials and scope in the query string with {@code grant_type} in the body. Scope may come
 * from the body or the query. A Basic header's id and secret are form-urlencoded before base64 (RFC 6749
 * §2.3.1) and are decoded here, so {@code a+b} sent encoded and {@code a b} sent in the body are one client.
 * Stateless and thread-safe.
 */
public final class TokenRequestParser {
  private static final Set<String> RESERVED = Set.of("grant_type", "client_id", "client_secret", "scope");
  private static final String BASIC = "basic";

  private TokenRequestParser() {}

  /**
   * Parses a request whose method, path and content type the HTTP layer has already checked.
   *
   * @param authorization the {@code Authorization} header, or {@code null}
   * @param query the raw query string, or {@code null}
   * @param body the raw form body (may be empty)
   * @throws InvalidTokenRequest with the RFC 6749 error to answer
   */
  public static ParsedRequest parse(@Nullable String authorization, @Nullable String query, String body) {
    Map<String, String> fromQuery = FormParameters.parse(query, "query string");
    Map<String, String> parameters = FormParameters.parse(body, "body");
    if (!fromQuery.isEmpty() && parameters.isEmpty()) {
      parameters = new HashMap<>();
    }
    for (Map.Entry<String, String> entry : fromQuery.entrySet()) {
      if (parameters.putIfAbsent(entry.getKey(), entry.getValue()) != null) {
        throw new InvalidTokenRequest(OAuthError.invalidRequest("parameter "
            + FormParameters.printable(entry.getKey()) + " is given in both the query string and the body"));
      }
    }
    String grantType = parameters.get("grant_type");
    if (grantType == null) {
      throw new InvalidTokenRequest(OAuthError.invalidRequest(
          body == null || body.isEmpty() ? "the request has no body; grant_type is required" : "grant_type is required"));
    }
    if (!TokenRequest.GRANT_TYPE.equals(grantType)) {
      return new ParsedRequest.OtherGrant(grantType, namedClient(authorization, parameters));
    }
    ClientCredentials credentials = credentials(authorization, parameters);
    TreeSet<String> scopes = new TreeSet<>();
    String scope = parameters.get("scope");
    if (scope != null) {
      int start = 0;
      while (start < scope.length()) {
        int space = scope.indexOf(' ', start);
        int end = space < 0 ? scope.length() : space;
        if (end > start) {
          scopes.add(scope.substring(start, end));
        }
        start = end + 1;
      }
    }
    TreeMap<String, String> others = new TreeMap<>();
    for (Map.Entry<String, String> parameter : parameters.entrySet()) {
      if (!RESERVED.contains(parameter.getKey())) {
        others.put(parameter.getKey(), parameter.getValue());
      }
    }
    String forwarded = authorization != null ? authorization.trim() : null;
    return new ParsedRequest.ClientCredentialsGrant(new TokenRequest(credentials, scopes, others, forwarded));
  }

  /** The client id another grant's request names, best effort: it is forwarded as it came either way. */
  private static String namedClient(@Nullable String authorization, Map<String, String> parameters) {
    if (authorization != null) {
      try {
        return basic(authorization).clientId();
      } catch (InvalidTokenRequest unreadable) {
        return "";
      }
    }
    String id = parameters.get("client_id");
    return id == null ? "" : id;
  }

  private static ClientCredentials credentials(@Nullable String authorization, Map<String, String> parameters) {
    String id = parameters.get("client_id");
    String secret = parameters.get("client_secret");
    if (authorization != null) {
      ClientCredentials basic = basic(authorization);
      if (secret != null) {
        throw new InvalidTokenRequest(OAuthError.invalidRequest(
            "the client authenticated in more than one way (Authorization header and client_secret)"));
      }
      if (id != null && !id.equals(basic.clientId())) {
        throw new InvalidTokenRequest(OAuthError.invalidRequest(
            "client_id does not match the client of the Authorization header"));
      }
      return basic;
    }
    if (id == null) {
      throw new InvalidTokenRequest(OAuthError.invalidClient(
          "client authentication is required: HTTP Basic, or client_id and client_secret"));
    }
    if (secret == null) {
      throw new InvalidTokenRequest(OAuthError.invalidClient("client_secret is required for client_credentials"));
    }
    return new ClientCredentials(id, secret);
  }

  private static ClientCredentials basic(String header) {
    String value = header.trim();
    int space = value.indexOf(' ');
    if (!isBasicScheme(value, space)) {
      throw new InvalidTokenRequest(OAuthError.invalidClient("the Authorization header must use the Basic scheme"));
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(value.substring(space + 1).trim());
    } catch (IllegalArgumentException e) {
      throw new InvalidTokenRequest(OAuthError.invalidClient("the Basic credentials are not valid base64"));
    }
    // ':' is one byte in UTF-8 and never part of another character's bytes: split first, decode each part once
    int colon = indexOf(decoded, (byte) ':');
    if (colon <= 0) {
      throw new InvalidTokenRequest(OAuthError.invalidClient("the Basic credentials must be client_id:client_secret"));
    }
    String id = formDecoded(new String(decoded, 0, colon, StandardCharsets.UTF_8));
    String secret = formDecoded(new String(decoded, colon + 1, decoded.length - colon - 1, StandardCharsets.UTF_8));
    if (id.isEmpty() || secret.isEmpty()) {
      throw new InvalidTokenRequest(OAuthError.invalidClient("the Basic credentials must be client_id:client_secret"));
    }
    return new ClientCredentials(id, secret);
  }

  /** Whether {@code value} up to {@code space} is "Basic" in any case (ASCII letters only, as the scheme is). */
  private static boolean isBasicScheme(String value, int space) {
    if (space != BASIC.length()) {
      return false;
    }
    for (int i = 0; i < space; i++) {
      char c = value.charAt(i);
      if (c >= 0x80 || Character.toLowerCase(c) != BASIC.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] bytes, byte wanted) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == wanted) {
        return i;
      }
    }
    return -1;
  }

  /**
   * RFC 6749 §2.3.1 decoding of a Basic credential part. A client that did not encode a part containing a
   * stray {@code %} is taken literally, as the authorization server will most likely take it.
   */
  private static String formDecoded(String part) {
    if (part.indexOf('%') < 0 && part.indexOf('+') < 0) {
      return part; // nothing to decode (the usual case): URLDecoder would allocate a builder to find that out
    }
    try {
      return URLDecoder.decode(part, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return part;
    }
  }
}
