package dev.tokencache.upstream;

import org.jspecify.annotations.Nullable;
import dev.tokencache.config.Settings;
import dev.tokencache.token.ClientCredentials;
import dev.tokencache.token.TokenRequest;
import dev.tokencache.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Talks to the authorization server's token endpoint over pooled keep-alive connections.
 *
 * <p>Every exchange is bounded: {@code upstream.connect-timeout} to connect and {@code upstream.timeout} for
 * the whole exchange, waiting for a pooled connection included, after which the request is reset and the future
 * fails with {@link UpstreamFailure.Kind#TIMEOUT}. Futures complete on the caller's Vert.x context. Thread-safe.
 */
public final class UpstreamClient implements Upstream {
  /** Token responses are small; anything larger is not one. */
  static final int MAX_RESPONSE_BYTES = 1024 * 1024;
  private static final String FORM = "application/x-www-form-urlencoded";

  private final HttpClient client;
  private final URI tokenUrl;
  private final Settings.Upstream settings;
  private final Supplier<Map.Entry<String, String>> originHeader;
  private final UpstreamListener listener;
  private final Tracing tracing;
  /** {@code host:port} of the token URL, for failure messages. */
  private final String address;

  /**
   * @param originHeader the origin-verify header to add to every request, or a supplier of {@code null}
   * @param listener told about every exchange (metrics)
   * @param tracing client spans, as children of the context current when a request is started
   */
  public UpstreamClient(Vertx vertx, Settings.Upstream settings, Supplier<Map.Entry<String, String>> originHeader,
      UpstreamListener listener, Tracing tracing) {
    this.listener = listener;
    this.tracing = tracing;
    this.settings = settings;
    this.tokenUrl = settings.requiredTokenUrl();
    this.originHeader = originHeader;
    int port = tokenUrl.getPort() > 0 ? tokenUrl.getPort() : "https".equalsIgnoreCase(tokenUrl.getScheme()) ? 443 : 80;
    this.address = tokenUrl.getHost() + ":" + port;
    HttpClientOptions options = new HttpClientOptions()
        .setKeepAlive(true)
        .setConnectTimeout((int) settings.connectTimeout().toMillis())
        .setMaxRedirects(0)
        .setDecompressionSupported(true);
    this.client = vertx.httpClientBuilder()
        .with(options)
        .with(new PoolOptions().setHttp1MaxSize(settings.maxConnections()))
        .build();
  }

  @Override
  public URI tokenUrl() {
    return tokenUrl;
  }

  /**
   * Requests a client-credentials token. Credentials go as {@code client_secret_basic} (the client's own
   * Basic header when it sent one, else one built with RFC 6749 §2.3.1 encoding) or as
   * {@code client_secret_post}, per {@code upstream.client-auth}.
   */
  @Override
  public Future<UpstreamResponse> requestToken(TokenRequest request) {
    StringBuilder form = new StringBuilder("grant_type=").append(TokenRequest.GRANT_TYPE);
    if (!request.scopes().isEmpty()) {
      append(form, "scope", request.scope());
    }
    request.parameters().forEach((name, value) -> append(form, name, value));
    String authorization = null;
    if (settings.clientAuth() == Settings.ClientAuth.POST) {
      append(form, "client_id", request.credentials().clientId());
      append(form, "client_secret", request.credentials().clientSecret());
    } else {
      authorization = request.clientAuthorization() != null
          ? request.clientAuthorization()
          : basicHeader(request.credentials());
    }
    return exchange(tokenUrl.toString(), authorization, Buffer.buffer(form.toString()));
  }

  @Override
  public Future<UpstreamResponse> forward(@Nullable String query, @Nullable String authorization, Buffer body) {
    String url = tokenUrl.toString();
    if (query != null && !query.isEmpty()) {
      url += (tokenUrl.getRawQuery() == null ? "?" : "&") + query;
    }
    return exchange(url, authorization, body);
  }

  /** RFC 6749 §2.3.1: form-urlencode id and secret, then base64 {@code id:secret}. */
  static String basicHeader(ClientCredentials credentials) {
    String pair = URLEncoder.encode(credentials.clientId(), StandardCharsets.UTF_8) + ":"
        + URLEncoder.encode(credentials.clientSecret(), StandardCharsets.UTF_8);
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  private static void append(StringBuilder form, String name, String value) {
    form.append('&').append(URLEncoder.encode(name, StandardCharsets.UTF_8))
        .append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
  }

  private Future<UpstreamResponse> exchange(String url, @Nullable String authorization, Buffer body) {
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(url)
        // Waiting for a pooled connection (and opening it) may take the whole exchange's time: a burst of cold
        // misses queues for a connection instead of failing. The TCP connect alone is bounded by connect-timeout.
        .setConnectTimeout(settings.timeout().toMillis())
        .putHeader(HttpHeaders.CONTENT_TYPE, FORM)
        .putHeader(HttpHeaders.ACCEPT, "application/json");
    if (authorization != null) {
      options.putHeader(HttpHeaders.AUTHORIZATION, authorization);
    }
    Map.Entry<String, String> origin = originHeader.get();
    if (origin != null) {
      options.putHeader(origin.getKey(), origin.getValue());
    }
    Span span = tracing.enabled() ? clientSpan(options) : null;
    long started = System.nanoTime();
    AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
    return client.request(options)
        .compose(request -> {
          sent.set(request);
          return request.send(body);
        })
        .compose(response -> read(response, started, origin == null ? null : origin.getValue()))
        .timeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
        .recover(cause -> {
          HttpClientRequest request = sent.get();
          if (cause instanceof TimeoutException && request != null) {
            request.reset();
          }
          return Future.failedFuture(classify(cause, request != null).after(System.nanoTime() - started));
        })
        .onComplete(outcome -> {
          if (outcome.succeeded()) {
            listener.answered(outcome.result().status(), outcome.result().elapsedNanos());
          } else if (outcome.cause() instanceof UpstreamFailure failure) {
            listener.failed(failure.kind(), failure.elapsedNanos());
          }
          if (span != null) {
            endClientSpan(span, outcome.succeeded() ? outcome.result().status() : -1);
          }
        });
  }

  /**
   * Reads the answer. An authorization server (or a gateway in front of it) that reflects request headers in an
   * error page would hand the origin secret to the client the answer is passed back to: every occurrence of the
   * secret sent with this request is replaced, in the body and in the headers that are passed back.
   */
  private Future<UpstreamResponse> read(HttpClientResponse response, long started, @Nullable String originSecret) {
    String length = response.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && tooLarge(length)) {
      response.request().reset();
      return Future.failedFuture(new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE,
          address + " answered more than " + MAX_RESPONSE_BYTES + " bytes"));
    }
    return boundedBody(response).map(bytes -> new UpstreamResponse(
        response.statusCode(),
        Redaction.of(response.getHeader(HttpHeaders.CONTENT_TYPE), originSecret),
        Redaction.of(response.getHeader("WWW-Authenticate"), originSecret),
        Redaction.of(response.getHeader("Retry-After"), originSecret),
        Redaction.of(bytes.getBytes(), originSecret),
        System.nanoTime() - started));
  }

  private Span clientSpan(RequestOptions options) {
    Span span = tracing.startClient("POST", options, (carrier, name, value) -> carrier.putHeader(name, value));
    span.setAttribute("http.request.method", "POST");
    span.setAttribute("server.address", tokenUrl.getHost());
    span.setAttribute("url.full", tokenUrl.getScheme() + "://" + tokenUrl.getAuthority() + tokenUrl.getRawPath());
    return span;
  }

  private static void endClientSpan(Span span, int status) {
    if (status > 0) {
      span.setAttribute("http.response.status_code", status);
      if (status >= 500) {
        span.setStatus(StatusCode.ERROR);
      }
    } else {
      span.setStatus(StatusCode.ERROR, "no answer");
    }
    span.end();
  }

  /** The body, or a failure once it grows past {@link #MAX_RESPONSE_BYTES} (a chunked answer has no length). */
  private Future<Buffer> boundedBody(HttpClientResponse response) {
    Promise<Buffer> body = Promise.promise();
    Buffer collected = Buffer.buffer();
    response.handler(chunk -> {
      if (collected.length() + chunk.length() > MAX_RESPONSE_BYTES) {
        if (body.tryFail(new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE,
            address + " answered more than " + MAX_RESPONSE_BYTES + " bytes"))) {
          response.request().reset();
        }
      } else {
        collected.appendBuffer(chunk);
      }
    });
    response.exceptionHandler(body::tryFail);
    response.endHandler(done -> body.tryComplete(collected));
    return body.future();
  }

  private static boolean tooLarge(String contentLength) {
    try {
      return Long.parseLong(contentLength.trim()) > MAX_RESPONSE_BYTES;
    } catch (NumberFormatException e) {
      return true;
    }
  }

  /**
   * Says what happened and where, in words an operator can act on: never a Java class name, never request data.
   *
   * @param connected whether a connection was obtained (a timeout before that is a connect or pool-wait timeout)
   */
  private UpstreamFailure classify(Throwable cause, boolean connected) {
    if (cause instanceof UpstreamFailure failure) {
      return failure;
    }
    if (cause instanceof ConnectTimeoutException) {
      return new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, "connecting to " + address + " timed out after "
          + settings.connectTimeout().toMillis() + " ms");
    }
    if (cause instanceof TimeoutException) {
      return new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, connected
          ? "no answer from " + address + " within " + settings.timeout().toMillis() + " ms"
          : "no free connection to " + address + " within " + settings.timeout().toMillis() + " ms (all "
              + settings.maxConnections() + " of upstream.max-connections busy)");
    }
    for (Throwable c = cause; c != null; c = c.getCause()) {
      if (c instanceof java.net.UnknownHostException) {
        return new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE, "unknown host " + tokenUrl.getHost());
      }
      if (c instanceof java.net.ConnectException) {
        return new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE, "connection refused by " + address);
      }
      if (c instanceof javax.net.ssl.SSLException) {
        return new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE, "TLS handshake with " + address + " failed");
      }
    }
    return new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE, connected
        ? "connection to " + address + " closed before a complete answer"
        : "could not connect to " + address);
  }

  /** Closes pooled connections. */
  public Future<Void> close() {
    return client.close();
  }
}
