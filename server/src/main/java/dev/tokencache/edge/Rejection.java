package dev.tokencache.edge;

/**
 * Why {@link StrictRequestDecoder} refused a request: the decoder's failure cause. Carries no part of the request
 * (its message is fixed per reason) and no stack trace.
 */
final class Rejection extends RuntimeException {
  enum Reason {
    VERSION(505, "only HTTP/1.0 and HTTP/1.1 are served here"),
    TARGET(400, "the request target contains control characters"),
    LENGTH_AND_ENCODING(400, "Content-Length and Transfer-Encoding must not both be sent"),
    HOST(400, "the Host header is not a valid host");

    final int status;
    final String description;

    Reason(int status, String description) {
      this.status = status;
      this.description = description;
    }
  }

  final Reason reason;

  Rejection(Reason reason) {
    super(reason.description, null, false, false);
    this.reason = reason;
  }
}
