package dev.tokencache.origin;

/** A secret source could not be read. The message names the source and the reason, never a value. */
public final class SecretUnavailable extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SecretUnavailable(String message) {
    super(message, null, false, false);
  }
}
