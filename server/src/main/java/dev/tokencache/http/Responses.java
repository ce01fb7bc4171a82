package dev.tokencache.http;

import org.jspecify.annotations.Nullable;
import dev.tokencache.cache.CacheResult;
import dev.tokencache.token.OAuthError;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * Writes token-endpoint responses with the headers RFC 6749 §5.1 requires, and {@code X-Token-Cache}. The {@link Exchange} is
 * finished (metrics, access log, span) just before the answer is handed to the connection, so that whoever has
 * read the answer can already see its record.
 */
final class Responses {
  static final CharSequence X_TOKEN_CACHE = HttpHeaders.createOptimized("X-Token-Cache");
  private static final CharSequence X_REQUEST_ID = HttpHeaders.createOptimized(Exchange.REQUEST_ID);
  private static final CharSequence JSON_UTF8 = HttpHeaders.createOptimized("application/json;charset=UTF-8");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
  private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");
  private static final CharSequence WWW_AUTHENTICATE = HttpHeaders.createOptimized("WWW-Authenticate");
  private static final CharSequence PRAGMA = HttpHeaders.createOptimized("Pragma");
  private static final CharSequence RETRY_AFTER = HttpHeaders.createOptimized("Retry-After");
  private static final CharSequence BASIC_CHALLENGE = HttpHeaders.createOptimized("Basic realm=\"tokencache\"");
  private static final CharSequence[] RESULT_VALUES = resultValues();

  private Responses() {}

  private static CharSequence[] resultValues() {
    CacheResult[] results = CacheResult.values();
    CharSequence[] values = new CharSequence[results.length];
    for (CacheResult result : results) {
      values[result.ordinal()] = HttpHeaders.createOptimized(result.headerValue());
    }
    return values;
  }

  /**
   * A JSON body the proxy rendered (a token), with status 200. The array is handed to the connection as it is
   * ({@code Buffer.buffer(byte[])} would copy it once more): the caller must not touch it afterwards.
   */
  static void token(Exchange exchange, CacheResult result, byte[] body) {
    HttpServerResponse response = noStore(exchange, result);
    response.putHeader(HttpHeaders.CONTENT_TYPE, JSON_UTF8);
    exchange.finish(result, 200, false);
    // an unpooled heap buffer around the array: nothing to release, the garbage collector owns it
    response.setStatusCode(200).end(BufferInternal.buffer(Unpooled.wrappedBuffer(body)));
  }

  /**
   * The upstream's answer, passed through with its status, content type and challenge.
   *
   * @param retryAfter the {@code Retry-After} value to send, or {@code null}
   */
  static void passThrough(Exchange exchange, CacheResult result, int status, @Nullable String contentType,
      @Nullable String wwwAuthenticate, @Nullable String retryAfter, byte[] body) {
    HttpServerResponse response = noStore(exchange, result);
    if (contentType != null) {
      response.putHeader(HttpHeaders.CONTENT_TYPE, contentType);
    }
    if (wwwAuthenticate != null && status == 401) {
      response.putHeader(WWW_AUTHENTICATE, wwwAuthenticate);
    }
    if (retryAfter != null) {
      response.putHeader(RETRY_AFTER, retryAfter);
    }
    exchange.finish(result, status, false);
    response.setStatusCode(status).end(Buffer.buffer(body));
  }

  /** An RFC 6749 §5.2 error written by the proxy. */
  static void error(Exchange exchange, CacheResult result, OAuthError error) {
    write(exchange, result, error, null, true);
  }

  /**
   * An error the proxy writes about the upstream: 502/504 when it gave no answer, 429 over a budget.
   *
   * @param retryAfter the {@code Retry-After} value to send, or {@code null}
   * @param proxyError whether it counts as the proxy's error (a request that went upstream and got no answer),
   *     or as its own result (a replay while the key backs off, a budget refusal)
   */
  static void refusal(Exchange exchange, CacheResult result, OAuthError error, @Nullable String retryAfter, boolean proxyError) {
    write(exchange, result, error, retryAfter, proxyError);
  }

  private static void write(Exchange exchange, CacheResult result, OAuthError error, @Nullable String retryAfter,
      boolean proxyError) {
    HttpServerResponse response = noStore(exchange, result);
    if (response.ended()) {
      return;
    }
    if (error.challengesBasic()) {
      response.putHeader(WWW_AUTHENTICATE, BASIC_CHALLENGE);
    }
    if (retryAfter != null) {
      response.putHeader(RETRY_AFTER, retryAfter);
    }
    response.putHeader(HttpHeaders.CONTENT_TYPE, JSON_UTF8);
    exchange.finish(result, error.status(), proxyError);
    response.setStatusCode(error.status()).end(Buffer.buffer(error.toJson()));
  }

  private static HttpServerResponse noStore(Exchange exchange, CacheResult result) {
    HttpServerResponse response = exchange.response();
    if (!response.ended()) {
      response.putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE)
          .putHeader(PRAGMA, NO_CACHE)
          .putHeader(X_TOKEN_CACHE, RESULT_VALUES[result.ordinal()])
          .putHeader(X_REQUEST_ID, exchange.requestId());
    }
    return response;
  }
}
