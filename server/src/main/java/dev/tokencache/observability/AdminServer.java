package dev.tokencache.observability;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The admin listener (docs/metrics.md), separate from the token listener: {@code GET /metrics} (Prometheus text),
 * {@code GET /health/live} (the process answers), {@code GET /health/ready} (every {@link HealthCheck} passes;
 * the JSON names each check and why one failed). Scrapes are formatted off the event loop.
 */
public final class AdminServer {
  private final HttpServer server;

  private AdminServer(HttpServer server) {
    this.server = server;
  }

  /** Starts on {@code host:port} ({@code port} 0: any free port). */
  public static Future<AdminServer> start(Vertx vertx, String host, int port, PrometheusMeterRegistry registry,
      List<HealthCheck> checks) {
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port));
    server.requestHandler(request -> handle(vertx, request, registry, checks));
    return server.listen().map(AdminServer::new);
  }

  private static void handle(Vertx vertx, HttpServerRequest request, PrometheusMeterRegistry registry,
      List<HealthCheck> checks) {
    if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
      request.response().setStatusCode(405).putHeader(HttpHeaders.ALLOW, "GET").end();
      return;
    }
    switch (request.path()) {
      case "/metrics" -> vertx.executeBlocking(registry::scrape, false).onComplete(scrape -> {
        if (scrape.succeeded()) {
          request.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
              .end(scrape.result());
        } else {
          request.response().setStatusCode(500).end();
        }
      });
      case "/health/live" -> json(request, 200, new JsonObject().put("status", "UP"));
      case "/health/ready" -> ready(request, checks);
      default -> request.response().setStatusCode(404).end();
    }
  }

  private static void ready(HttpServerRequest request, List<HealthCheck> checks) {
    JsonObject details = new JsonObject();
    boolean up = true;
    boolean degraded = false;
    for (HealthCheck check : checks) {
      String problem = check.check();
      String status = problem == null ? "UP" : check.critical() ? "DOWN" : "DEGRADED";
      JsonObject detail = new JsonObject().put("status", status);
      if (problem != null) {
        detail.put("reason", problem);
      }
      details.put(check.name(), detail);
      up &= problem == null || !check.critical();
      degraded |= problem != null && !check.critical();
    }
    String overall = !up ? "DOWN" : degraded ? "DEGRADED" : "UP";
    json(request, up ? 200 : 503, new JsonObject().put("status", overall).put("checks", details));
  }

  private static void json(HttpServerRequest request, int status, JsonObject body) {
    request.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body.encode());
  }

  public int port() {
    return server.actualPort();
  }

  public Future<Void> stop() {
    return server.close();
  }
}
