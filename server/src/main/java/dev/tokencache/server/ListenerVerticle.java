package dev.tokencache.server;

import dev.tokencache.edge.HttpEdge;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP listener on its own event loop. Several instances bound to the same port share the accepted
 * connections. Stopping it shuts the listener down gracefully: no new connections, in-flight requests get
 * up to the grace period to finish.
 */
final class ListenerVerticle extends VerticleBase {
  private final HttpServerOptions options;
  private final Handler<HttpServerRequest> handler;
  private final Handler<HttpServerRequest> invalid;
  private final Duration grace;
  private HttpServer server;

  /**
   * @param handler every well-formed request
   * @param invalid every request the strict decoder ({@link HttpEdge}) or Vert.x refused
   */
  ListenerVerticle(HttpServerOptions options, Handler<HttpServerRequest> handler, Handler<HttpServerRequest> invalid,
      Duration grace) {
    this.options = options;
    this.handler = handler;
    this.invalid = invalid;
    this.grace = grace;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(options)
        .connectionHandler(connection -> HttpEdge.harden(connection, options))
        .invalidRequestHandler(invalid)
        .requestHandler(handler);
    return server.listen();
  }

  int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    return server.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS);
  }
}
