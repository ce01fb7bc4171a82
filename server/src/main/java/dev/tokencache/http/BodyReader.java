package dev.tokencache.http;

import dev.tokencache.cache.CacheResult;
import dev.tokencache.token.OAuthError;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Collects a request body up to a limit. A larger body (by {@code Content-Length}, or as it streams in) gets
 * 413 with {@code Connection: close}, so the rest is never processed.
 */
final class BodyReader {
  private BodyReader() {}

  static void read(Exchange exchange, int limit, Handler<Buffer> onBody) {
    HttpServerRequest request = exchange.request;
    String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (declared != null && exceeds(declared, limit)) {
      tooLarge(exchange, limit);
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] refused = {false};
    request.handler(chunk -> {
      if (refused[0]) {
        return;
      }
      if (body.length() + chunk.length() > limit) {
        refused[0] = true;
        tooLarge(exchange, limit);
        return;
      }
      body.appendBuffer(chunk);
    });
    request.exceptionHandler(failure -> refused[0] = true);
    request.endHandler(done -> {
      if (!refused[0]) {
        onBody.handle(body);
      }
    });
  }

  private static boolean exceeds(String contentLength, int limit) {
    try {
      return Long.parseLong(contentLength.trim()) > limit;
    } catch (NumberFormatException e) {
      return false; // the codec rejects a malformed Content-Length before we see it
    }
  }

  private static void tooLarge(Exchange exchange, int limit) {
    if (exchange.response().ended()) {
      return;
    }
    exchange.response().putHeader(HttpHeaders.CONNECTION, "close");
    Responses.error(exchange, CacheResult.BYPASS,
        new OAuthError(413, "invalid_request", "the request body is larger than " + limit + " bytes"));
  }
}
