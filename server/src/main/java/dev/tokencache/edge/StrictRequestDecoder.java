package dev.tokencache.edge;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;

/**
 * Vert.x's HTTP/1 request decoder with the checks an edge needs before anything reads the request. A request that
 * fails one is marked failed with a {@link Rejection}, so that Vert.x hands it to the listener's invalid-request
 * handler ({@link HttpEdge#invalidRequest}) instead of its request handler:
 * <ul>
 *   <li>an HTTP version other than 1.0 and 1.1: Vert.x would answer 501 with the request's own version token in
 *       the status line, which a caller controls;
 *   <li>control bytes (below 0x21, or 0x7f) in the request target: they would reach an upstream request line;
 *   <li>{@code Content-Length} together with {@code Transfer-Encoding} (RFC 9112 §6.1: a proxy rejects it; Netty
 *       would drop {@code Content-Length} and read on, the classic request-smuggling ambiguity);
 *   <li>a {@code Host} that is not a host and optional port (Vert.x's own parser throws on some, such as
 *       {@code x%zz}, leaving the request unanswered).
 * </ul>
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {
  StrictRequestDecoder(HttpServerOptions options) {
    super(options);
  }

  /** A refusal found in the request line, applied once the headers are read (Netty resets an earlier one). */
  private Rejection.Reason lineRefused;

  @Override
  protected HttpMessage createMessage(String[] initialLine) {
    String version = initialLine[2];
    if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
      lineRefused = Rejection.Reason.VERSION;
      return super.createMessage(new String[] {initialLine[0], "/", "HTTP/1.1"});
    }
    if (hasControlBytes(initialLine[1])) {
      lineRefused = Rejection.Reason.TARGET;
      return super.createMessage(new String[] {initialLine[0], "/", version});
    }
    lineRefused = null;
    return super.createMessage(initialLine);
  }

  /** Called once the headers are read, before the body: every refusal is marked here. */
  @Override
  protected boolean isContentAlwaysEmpty(HttpMessage message) {
    Rejection.Reason refused = lineRefused;
    lineRefused = null;
    if (refused == null && message.decoderResult().isSuccess()) {
      if (message.headers().contains(HttpHeaderNames.CONTENT_LENGTH)
          && message.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
        refused = Rejection.Reason.LENGTH_AND_ENCODING;
      } else if (!HostSyntax.isValid(message.headers().get(HttpHeaderNames.HOST))) {
        refused = Rejection.Reason.HOST;
      }
    }
    if (refused != null) {
      message.setDecoderResult(DecoderResult.failure(new Rejection(refused)));
      // as if the client had asked to close: Vert.x then closes after the answer and drops what was pipelined
      // behind this request (a smuggled second request must never be served)
      message.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return super.isContentAlwaysEmpty(message);
  }

  private static boolean hasControlBytes(String target) {
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c < 0x21 || c == 0x7f) {
        return true;
      }
    }
    return false;
  }
}
