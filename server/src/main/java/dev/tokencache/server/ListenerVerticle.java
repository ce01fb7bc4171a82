package dev.tokencache.server;

import org.jspecify.annotations.Nullable;
import dev.tokencache.edge.HttpEdge;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One HTTP listener on its own event loop. Several instances bound to the same port share the accepted
 * connections. While the proxy drains, every answer carries {@code Connection: close} and its connection closes
 * after it, so that keep-alive clients move to another instance while this one still answers. Stopping it shuts
 * the listener down gracefully: no new connections, idle ones closed, in-flight requests get up to the grace period
 * (and a margin for the proxy's own 503 at its end) to finish.
 */
final class ListenerVerticle extends VerticleBase {
  private final HttpServerOptions options;
  private final Handler<HttpServerRequest> handler;
  private final Handler<HttpServerRequest> invalid;
  private final Duration grace;
  private final AtomicBoolean draining;
  private final HttpEdge.Policy policy;
  private @Nullable HttpServer server;

  /**
   * @param handler every well-formed request
   * @param invalid every request the strict decoder ({@link HttpEdge}) or Vert.x refused
   * @param policy the connection limit (shared by every listener) and the header-read deadline
   * @param draining set once the proxy drains
   * @param grace the longest a connection may stay open once the listener stops or a drained answer is sent
   */
  ListenerVerticle(HttpServerOptions options, Handler<HttpServerRequest> handler, Handler<HttpServerRequest> invalid,
      HttpEdge.Policy policy, AtomicBoolean draining, Duration grace) {
    this.policy = policy;
    this.options = options;
    this.draining = draining;
    this.handler = handler;
    this.invalid = invalid;
    this.grace = grace;
  }

  @Override
  public Future<?> start() {
    HttpServer server = vertx.createHttpServer(options)
        .connectionHandler(connection -> HttpEdge.accept(connection, options, policy, () -> {}))
        .invalidRequestHandler(invalid)
        .requestHandler(this::handle);
    this.server = server;
    return server.listen();
  }

  private void handle(HttpServerRequest request) {
    if (draining.get()) {
      // Vert.x closes a shut-down HTTP/1 connection once the answer in progress is written, and reads nothing after it
      request.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      request.connection().shutdown(grace.toMillis(), TimeUnit.MILLISECONDS);
    }
    handler.handle(request);
  }

  private HttpServer started() {
    return java.util.Objects.requireNonNull(server, "the listener has not started");
  }

  int actualPort() {
    return started().actualPort();
  }

  @Override
  public Future<?> stop() {
    return started().shutdown(grace.toMillis(), TimeUnit.MILLISECONDS);
  }
}
