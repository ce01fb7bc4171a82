package dev.tokencache.upstream;

/**
 * Told about every exchange with the authorization server, on the event loop that ran it. Must not block.
 */
public interface UpstreamListener {
  /** An answer came back with {@code status}. */
  void answered(int status, long elapsedNanos);

  /** No answer came back. */
  void failed(UpstreamFailure.Kind kind, long elapsedNanos);

  /** The listener for the exchanges of the upstream called {@code name} (metrics label them with it). */
  default UpstreamListener forUpstream(String name) {
    return this;
  }

  UpstreamListener NONE = new UpstreamListener() {
    @Override
    public void answered(int status, long elapsedNanos) {}

    @Override
    public void failed(UpstreamFailure.Kind kind, long elapsedNanos) {}
  };
}
