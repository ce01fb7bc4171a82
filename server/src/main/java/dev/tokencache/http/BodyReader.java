package dev.tokencache.http;

import dev.tokencache.cache.CacheResult;
import dev.tokencache.token.OAuthError;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Collects a request body up to a limit. A larger body (by {@code Content-Length}, or as it streams in) gets
 * 413 with {@code Connection: close}, so the rest is never processed.
 */
final class BodyReader {
  private BodyReader() {}

  static void read(HttpServerRequest request, int limit, Handler<Buffer> onBody) {
    String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (declared != null && exceeds(declared, limit)) {
      tooLarge(request.response(), limit);
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
        tooLarge(request.response(), limit);
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

  private static void tooLarge(HttpServerResponse response, int limit) {
    if (response.ended()) {
      return;
    }
    response.putHeader(HttpHeaders.CONNECTION, "close");
    Responses.error(response, CacheResult.BYPASS,
        new OAuthError(413, "invalid_request", "the request body is larger than " + limit + " bytes"));
  }
}
