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
  private final String description;
  private final long elapsedNanos;

  public UpstreamFailure(Kind kind, String message) {
    this(kind, message, 0);
  }

  public UpstreamFailure(Kind kind, String message, long elapsedNanos) {
    super(message, null, false, false);
    this.kind = kind;
    this.description = message;
    this.elapsedNanos = elapsedNanos;
  }

  /** A copy that says how long the failed exchange took. */
  UpstreamFailure after(long nanos) {
    return new UpstreamFailure(kind, description, nanos);
  }

  /** What went wrong and where (the message, never absent). */
  public String description() {
    return description;
  }

  /** How long the exchange ran before it failed. */
  public long elapsedNanos() {
    return elapsedNanos;
  }

  public Kind kind() {
    return kind;
  }
}
