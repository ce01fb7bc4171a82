package dev.tokencache.guard;

import dev.tokencache.edge.ConnectionLimit;
import dev.tokencache.edge.HttpEdge;
import dev.tokencache.origin.SecretMatcher;
import dev.tokencache.origin.SecretSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.PoolOptions;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;
import java.net.URI;
import java.time.Instant;
import java.time.InstantSource;
import java.util.function.Consumer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tokencache guard} (docs/origin-verification.md): a reverse proxy in front of a self-hosted authorization server that
 * forwards a request only when its origin header matches an accepted secret, and answers 403 otherwise.
 *
 * <p>Accepted: the current value of every configured source, each source's replaced value for the grace period,
 * and Secrets Manager's {@code AWSPREVIOUS}. The comparison is constant-time. A request whose header matches none
 * makes the guard re-read its sources (at most once a second) and check again, so a proxy that picked up a new
 * secret first is never refused. The header is removed before forwarding and never logged or echoed. Bodies are
 * streamed both ways (Vert.x HTTP proxy); status, headers and body of the answer are kept.
 */
public final class GuardServer {
  private static final Logger LOG = LoggerFactory.getLogger(GuardServer.class);
  static final String FORBIDDEN =
      "{\"message\":\"Direct access to the authorization server is not allowed. Use the token proxy.\"}";
  private static final long REREAD_INTERVAL_NANOS = 1_000_000_000L;
  /** Marks the guard's own refusals (for the caller, and for the access log). */
  static final String DECISION = "X-Origin-Guard";

  private final HttpServer server;
  private final HttpClient client;
  private final List<SecretSource> sources;

  private final java.util.Map<io.vertx.core.http.HttpConnection, java.util.concurrent.atomic.AtomicInteger> connections;

  private GuardServer(HttpServer server, HttpClient client, List<SecretSource> sources,
      java.util.Map<io.vertx.core.http.HttpConnection, java.util.concurrent.atomic.AtomicInteger> connections) {
    this.connections = connections;
    this.server = server;
    this.client = client;
    this.sources = sources;
  }

  /**
   * Starts the guard on {@code host:port} in front of {@code target}, accepting the (started) {@code sources}, and
   * writes one JSON access line per request to {@code accessLines}: {@code time, client_ip, method, path, status,
   * guard (forwarded or refused), duration_ms}; never the origin header, a query string or a body.
   */
  public static Future<GuardServer> start(Vertx vertx, String host, int port, URI target, String header,
      List<SecretSource> sources, MeterRegistry registry, Consumer<String> accessLines, InstantSource clock) {
    return start(vertx, host, port, target, header, sources, registry, accessLines, clock,
        new HttpEdge.Policy(java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(120),
            ConnectionLimit.of("guard listener", 0)));
  }

  /** As above, with the listener's connection limit and header-read deadline. */
  public static Future<GuardServer> start(Vertx vertx, String host, int port, URI target, String header,
      List<SecretSource> sources, MeterRegistry registry, Consumer<String> accessLines, InstantSource clock,
      HttpEdge.Policy policy) {
    // Made on an event-loop context, so that its connections live on that loop and the connection handler runs
    // before their first request is read (HttpEdge.harden swaps the request decoder there).
    io.vertx.core.Promise<GuardServer> started = io.vertx.core.Promise.promise();
    vertx.getOrCreateContext().runOnContext(ignored ->
        startHere(vertx, host, port, target, header, sources, registry, accessLines, clock, policy)
            .onComplete(started));
    return started.future();
  }

  private static Future<GuardServer> startHere(Vertx vertx, String host, int port, URI target, String header,
      List<SecretSource> sources, MeterRegistry registry, Consumer<String> accessLines, InstantSource clock,
      HttpEdge.Policy policy) {
    boolean https = "https".equalsIgnoreCase(target.getScheme());
    int targetPort = target.getPort() > 0 ? target.getPort() : https ? 443 : 80;
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setSsl(https).setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(64));
    String prefix = target.getRawPath() == null || target.getRawPath().equals("/") ? "" : stripSlash(target.getRawPath());
    Check check = new Check(vertx, header, List.copyOf(sources), prefix, registry);
    HttpProxy proxy = HttpProxy.reverseProxy(client).origin(targetPort, target.getHost()).addInterceptor(check);
    java.util.Map<io.vertx.core.http.HttpConnection, java.util.concurrent.atomic.AtomicInteger> connections =
        new java.util.concurrent.ConcurrentHashMap<>();
    HttpServerOptions options = new HttpServerOptions().setHost(host).setPort(port)
        // an idle client connection may not be held forever (server.idle-timeout, as on the proxy's listener: idle
        // means nothing received)
        .setReadIdleTimeout((int) Math.min(Integer.MAX_VALUE, policy.idleTimeout().toMillis()))
        .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
        // HTTP/1.1 only, as the token proxy's listener: no cleartext HTTP/2 upgrade, no WebSocket extensions
        .setHttp2ClearTextEnabled(false)
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false);
    HttpServer server = vertx.createHttpServer(options)
        .connectionHandler(connection -> {
          if (HttpEdge.accept(connection, options, policy, () -> connections.remove(connection))) {
            connections.put(connection, new java.util.concurrent.atomic.AtomicInteger());
          }
        })
        .invalidRequestHandler(request -> {
          long started = System.nanoTime();
          Instant arrived = clock.instant();
          HttpEdge.Refusal refusal = HttpEdge.refusalOf(request);
          request.response().endHandler(done -> accessLines.accept(accessLine(request, arrived, started)));
          request.response().setStatusCode(refusal.status())
              .putHeader("Content-Type", "application/json")
              .putHeader("Cache-Control", "no-store")
              .putHeader("Connection", "close")
              .end(new JsonObject().put("error", "invalid_request").put("error_description", refusal.description())
                  .encode());
        })
        .requestHandler(request -> {
          long started = System.nanoTime();
          Instant arrived = clock.instant();
          java.util.concurrent.atomic.AtomicInteger inFlight = connections.get(request.connection());
          if (inFlight != null) {
            inFlight.incrementAndGet();
          }
          request.response().endHandler(done -> {
            if (inFlight != null) {
              inFlight.decrementAndGet();
            }
            accessLines.accept(accessLine(request, arrived, started));
          });
          try {
            proxy.handle(request);
          } catch (RuntimeException e) {
            // the proxy library failed on this request (a bug of its, or input it did not expect): answer, one line
            // the exception's message may quote the request (a query with credentials): only its kind is logged
            LOG.warn("could not forward a request from {}: the HTTP proxy library failed ({})",
                request.remoteAddress(), e.getClass().getSimpleName());
            if (!request.response().ended()) {
              request.response().setStatusCode(502).putHeader("Content-Type", "application/json")
                  .putHeader("Connection", "close").end("{\"message\":\"The request could not be forwarded.\"}");
            }
          }
        });
    return server.listen().map(bound -> {
      LOG.info("origin guard listening on {}:{} in front of {} (header {}, {} secret source(s), {} connections at most)",
          host, bound.actualPort(), withoutUserInfo(target), header, sources.size(), policy.connections().max());
      return new GuardServer(bound, client, sources, connections);
    });
  }

  private static String accessLine(HttpServerRequest request, Instant arrived, long started) {
    HttpServerResponse response = request.response();
    return new JsonObject()
        .put("time", arrived.toString())
        .put("client_ip", request.remoteAddress() == null ? null : request.remoteAddress().hostAddress())
        .put("method", request.method().name())
        .put("path", request.path())
        .put("status", response.getStatusCode())
        .put("guard", response.headers().contains(DECISION) ? "refused" : "forwarded")
        .put("duration_ms", (System.nanoTime() - started) / 1e6)
        .encode();
  }

  /** The target for the log: scheme, host, port and path, never credentials written into the URL. */
  private static String withoutUserInfo(URI target) {
    String userInfo = target.getRawUserInfo();
    return userInfo == null ? target.toString() : target.toString().replace(userInfo + "@", "***@");
  }

  private static String stripSlash(String path) {
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  public int port() {
    return server.actualPort();
  }

  /**
   * Stops accepting, closes the idle keep-alive connections at once (a graceful shutdown would otherwise wait for
   * them until its timeout), and gives requests in flight up to 10 s to finish.
   */
  public Future<Void> stop() {
    sources.forEach(SecretSource::stop);
    Future<Void> stopped = server.shutdown(10, java.util.concurrent.TimeUnit.SECONDS);
    connections.forEach((connection, inFlight) -> {
      if (inFlight.get() == 0) {
        connection.close();
      }
    });
    return stopped.eventually(client::close);
  }

  /** The interceptor that decides. Runs on the event loop; secret re-reads run on workers. */
  private static final class Check implements ProxyInterceptor {
    private final Vertx vertx;
    private final String header;
    private final List<SecretSource> sources;
    private final String prefix;
    private final Counter forwarded;
    private final Counter refused;
    private final AtomicLong lastReread = new AtomicLong(System.nanoTime() - REREAD_INTERVAL_NANOS);

    Check(Vertx vertx, String header, List<SecretSource> sources, String prefix, MeterRegistry registry) {
      this.vertx = vertx;
      this.header = header;
      this.sources = sources;
      this.prefix = prefix;
      this.forwarded = Counter.builder("tokencache.guard.requests").tag("result", "forwarded")
          .description("Requests the guard forwarded or refused").register(registry);
      this.refused = Counter.builder("tokencache.guard.requests").tag("result", "refused")
          .description("Requests the guard forwarded or refused").register(registry);
    }

    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
      ProxyRequest request = context.request();
      String presented = request.headers().get(header);
      request.headers().remove(header);
      if (presented != null && accepted(presented)) {
        return forward(context);
      }
      if (presented == null || !mayReread()) {
        return refuse(request);
      }
      List<Future<Void>> rereads = new ArrayList<>();
      sources.forEach(source -> rereads.add(source.refresh()));
      return Future.join(rereads).transform(done -> accepted(presented) ? forward(context) : refuse(request));
    }

    private boolean accepted(String presented) {
      List<String> values = new ArrayList<>();
      sources.forEach(source -> values.addAll(source.accepted()));
      return SecretMatcher.matchesAny(presented, values);
    }

    private boolean mayReread() {
      long last = lastReread.get();
      long now = System.nanoTime();
      return now - last >= REREAD_INTERVAL_NANOS && lastReread.compareAndSet(last, now);
    }

    private Future<ProxyResponse> forward(ProxyContext context) {
      forwarded.increment();
      if (!prefix.isEmpty()) {
        context.request().setURI(prefix + context.request().getURI());
      }
      return context.sendRequest();
    }

    private Future<ProxyResponse> refuse(ProxyRequest request) {
      refused.increment();
      LOG.debug("refused a request from {} without an accepted origin secret",
          request.proxiedRequest().remoteAddress());
      ProxyResponse response = request.response()
          .setStatusCode(403)
          .putHeader("Content-Type", "application/json")
          .putHeader("Cache-Control", "no-store")
          .putHeader(DECISION, "refused")
          .setBody(Body.body(Buffer.buffer(FORBIDDEN), io.vertx.httpproxy.MediaType.APPLICATION_JSON));
      return Future.succeededFuture(response);
    }
  }
}
