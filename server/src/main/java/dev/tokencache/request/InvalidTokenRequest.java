package dev.tokencache.request;

import dev.tokencache.token.OAuthError;

/** A request the proxy refuses; carries the OAuth2 error to answer. No stack trace: it is not a bug. */
public final class InvalidTokenRequest extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient OAuthError error;

  InvalidTokenRequest(OAuthError error) {
    super(error.error() + ": " + error.description(), null, false, false);
    this.error = error;
  }

  public OAuthError error() {
    return error;
  }
}
