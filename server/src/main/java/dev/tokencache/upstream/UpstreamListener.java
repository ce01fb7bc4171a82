package dev.tokencache.upstream;

/**
 * Told about every exchange with the authorization server, on the event loop that ran it. Must not block.
 */
public interface UpstreamListener {
  /** An answer came back with {@code status}. */
  void answered(int status, long elapsedNanos);

  /** No answer came back. */
  void failed(UpstreamFailure.Kind kind, long elapsedNanos);

  UpstreamListener NONE = new UpstreamListener() {
    @Override
    public void answered(int status, long elapsedNanos) {}

    @Override
    public void failed(UpstreamFailure.Kind kind, long elapsedNanos) {}
  };
}
