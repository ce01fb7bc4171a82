package dev.tokencache.pipeline;

import dev.tokencache.upstream.UpstreamResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Recognizes answers that no OAuth2 token endpoint gives (an HTML page, a 405 from an issuer's base URL, a 501)
 * and names the likely mistake in {@code upstream.token-url}. A token endpoint answers JSON with an
 * {@code access_token} or an {@code error} (RFC 6749 §5.1, §5.2).
 */
final class NotOAuth {
  private static final Pattern OAUTH_MEMBER = Pattern.compile("\"(access_token|error)\"\\s*:");

  private NotOAuth() {}

  /** Why {@code response} cannot come from an OAuth2 token endpoint; empty when it can. */
  static Optional<String> diagnose(UpstreamResponse response) {
    String body = new String(response.body(), 0, Math.min(response.body().length, 4096), StandardCharsets.UTF_8);
    String contentType = response.contentType() == null ? "" : response.contentType().toLowerCase(Locale.ROOT);
    int status = response.status();
    boolean json = body.stripLeading().startsWith("{");
    if (json && OAUTH_MEMBER.matcher(body).find()) {
      return Optional.empty();
    }
    if (status == 405) {
      return Optional.of("status 405 (POST not allowed): upstream.token-url is probably the issuer's base URL or "
          + "a discovery document, not its token endpoint");
    }
    if (status == 404) {
      return Optional.of("status 404: check the path of upstream.token-url (Cognito: https://DOMAIN/oauth2/token; "
          + "Keycloak: .../realms/REALM/protocol/openid-connect/token)");
    }
    if (status == 501) {
      return Optional.of("status 501 (not implemented): upstream.token-url is not an OAuth2 token endpoint");
    }
    if (contentType.contains("html") || body.stripLeading().startsWith("<")) {
      return Optional.of("an HTML page (status " + status + "): upstream.token-url points at a web page, not a "
          + "token endpoint");
    }
    return Optional.of("status " + status + " without an OAuth2 JSON body (no access_token, no error)");
  }
}
