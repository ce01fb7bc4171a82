package dev.tokencache.http;

import org.jspecify.annotations.Nullable;
import dev.tokencache.cache.CacheResult;
import dev.tokencache.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
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
  private @Nullable String clientId;
  private java.util.SortedSet<String> scopes = java.util.Collections.emptySortedSet();
  private long upstreamNanos = -1;
  private final @Nullable Span span;

  /** The upstream label of a request whose path routes nowhere. */
  static final String NO_UPSTREAM = "none";

  private final String upstream;

  Exchange(HttpServerRequest request, String route, String upstream, RequestObserver observer, InstantSource clock,
      Tracing tracing) {
    this.request = request;
    this.upstream = upstream;
    this.observer = observer;
    this.span = tracing.enabled() ? tracing.startServer(request.method().name() + " " + route, request, HEADERS) : null;
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

  void client(String id, java.util.SortedSet<String> canonicalScopes) {
    this.clientId = id;
    this.scopes = canonicalScopes;
  }

  void upstream(long nanos) {
    this.upstreamNanos = nanos;
  }

  /**
   * Makes this request's span current, so that an upstream exchange started now becomes its child. Close the
   * scope before returning to the event loop.
   */
  @SuppressWarnings("MustBeClosedChecker") // the scope is the caller's to close: every caller uses try-with-resources
  Scope activate() {
    return span == null ? Scope.noop() : span.makeCurrent();
  }

  /** Called once, with the answer about to be written. */
  void finish(CacheResult result, int status, boolean proxyError) {
    if (span != null) {
      span.setAttribute("http.request.method", request.method().name());
      span.setAttribute("url.path", request.path());
      span.setAttribute("http.response.status_code", status);
      span.setAttribute("tokencache.cache.result", proxyError ? "error" : result.label());
      if (clientId != null) {
        span.setAttribute("tokencache.client_id", clientId);
      }
      if (status >= 500) {
        span.setStatus(StatusCode.ERROR);
      }
      span.end();
    }
    String remote = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    observer.completed(new RequestRecord(arrived, requestId, remote, request.method().name(), request.path(), upstream,
        status,
        result, proxyError, System.nanoTime() - started, upstreamNanos, clientId, scopes));
  }

  private static final TextMapGetter<HttpServerRequest> HEADERS = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(HttpServerRequest carrier) {
      return carrier.headers().names();
    }

    @Override
    public @Nullable String get(@Nullable HttpServerRequest carrier, String key) {
      return carrier == null ? null : carrier.getHeader(key);
    }
  };

  /** When the request arrived (the clock read once per request). */
  java.time.Instant arrived() {
    return arrived;
  }

  String requestId() {
    return requestId;
  }
}
