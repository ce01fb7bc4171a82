package dev.tokencache.upstream;

/**
 * The exchange with the authorization server did not produce an answer. The message names what went wrong
 * and never holds request data.
 */
public final class UpstreamFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why there is no answer. */
  public enum Kind {
    /** Connection refused, reset, DNS failure, TLS failure, or an unusable answer: 502. */
    UNREACHABLE,
    /** No complete answer within {@code upstream.connect-timeout} or {@code upstream.timeout}: 504. */
    TIMEOUT
  }

  private final Kind kind;

  public UpstreamFailure(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
