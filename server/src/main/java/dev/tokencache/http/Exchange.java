package dev.tokencache.http;

import dev.tokencache.cache.CacheResult;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.InstantSource;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** One request on the token listener: what is known of it so far, and its single way out. */
final class Exchange {
  private static final Pattern SANE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  static final String REQUEST_ID = "X-Request-Id";

  final HttpServerRequest request;
  private final long started = System.nanoTime();
  private final java.time.Instant arrived;
  private final String requestId;
  private final RequestObserver observer;
  private String clientId;
  private String scope;
  private long upstreamNanos = -1;

  Exchange(HttpServerRequest request, RequestObserver observer, InstantSource clock) {
    this.request = request;
    this.observer = observer;
    this.arrived = clock.instant();
    String offered = request.getHeader(REQUEST_ID);
    this.requestId = offered != null && SANE_ID.matcher(offered).matches() ? offered : newId();
  }

  private static String newId() {
    return Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
  }

  HttpServerResponse response() {
    return request.response();
  }

  void client(String id, String canonicalScope) {
    this.clientId = id;
    this.scope = canonicalScope;
  }

  void upstream(long nanos) {
    this.upstreamNanos = nanos;
  }

  /** Called once the answer has been written. */
  void finish(CacheResult result, int status, boolean proxyError) {
    String remote = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    observer.completed(new RequestRecord(arrived, requestId, remote, request.method().name(), request.path(), status,
        result, proxyError, System.nanoTime() - started, upstreamNanos, clientId, scope));
  }

  String requestId() {
    return requestId;
  }
}
