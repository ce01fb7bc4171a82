package dev.tokencache.support;

import dev.tokencache.config.RawConfig;
import dev.tokencache.config.Settings;
import dev.tokencache.config.SettingsParser;
import dev.tokencache.http.RequestObserver;
import dev.tokencache.origin.SecretSource;
import dev.tokencache.server.ProxyServer;
import dev.tokencache.tracing.Tracing;
import dev.tokencache.upstream.UpstreamListener;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A proxy started in this JVM on a free port in front of {@code upstreamUrl}, with a clock the test moves, and
 * the JDK's HTTP client to talk to it.
 */
public final class ProxyHarness implements AutoCloseable {
  public final MutableClock clock = new MutableClock(Instant.now());
  public final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private final Vertx vertx;
  private final ProxyServer proxy;

  private ProxyHarness(String upstreamUrl, Map<String, String> overrides, Function<Vertx, ProxyServer.Extras> extras)
      throws Exception {
    Map<String, String> values = new HashMap<>();
    values.put("server.host", "127.0.0.1");
    values.put("server.port", "0");
    values.put("server.event-loops", "2");
    values.put("server.shutdown-grace", "5s");
    values.put("server.drain", "0s"); // tests that drain say so
    values.put("admin.port", "0");
    values.put("log.access", "off");
    values.putAll(overrides);
    if (upstreamUrl != null) {
      values.put("upstream.token-url", upstreamUrl);
    }
    Settings settings = SettingsParser.parse(RawConfig.defaults().withOverrides(values));
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    this.proxy = ProxyServer.start(vertx, settings, clock, extras.apply(vertx))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  public static ProxyHarness start(String upstreamUrl) throws Exception {
    return start(upstreamUrl, Map.of());
  }

  public static ProxyHarness start(String upstreamUrl, Map<String, String> overrides) throws Exception {
    return new ProxyHarness(upstreamUrl, overrides, vertx -> ProxyServer.Extras.NONE);
  }

  /** A proxy that reports to the given observers (metrics, access log). */
  public static ProxyHarness observed(String upstreamUrl, Map<String, String> overrides, RequestObserver requests,
      UpstreamListener upstream) throws Exception {
    return new ProxyHarness(upstreamUrl, overrides,
        vertx -> new ProxyServer.Extras(requests, upstream, Tracing.OFF, null));
  }

  /** A proxy that traces through the given SDK. */
  public static ProxyHarness traced(String upstreamUrl, Tracing tracing) throws Exception {
    return new ProxyHarness(upstreamUrl, Map.of(),
        vertx -> new ProxyServer.Extras(RequestObserver.NONE, UpstreamListener.NONE, tracing, null));
  }

  /** A proxy that sends the origin secret of the source made by {@code source}, started on the proxy's Vert.x. */
  public static ProxyHarness withOrigin(String upstreamUrl, Map<String, String> overrides,
      Function<Vertx, SecretSource> source) throws Exception {
    return new ProxyHarness(upstreamUrl, overrides, vertx -> {
      SecretSource origin = source.apply(vertx);
      try {
        origin.start(vertx).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return new ProxyServer.Extras(RequestObserver.NONE, UpstreamListener.NONE, Tracing.OFF, origin);
    });
  }

  public Vertx vertx() {
    return vertx;
  }

  public ProxyServer proxy() {
    return proxy;
  }

  /** A proxy with named upstreams only ({@code upstreams.<name>.*} in {@code overrides}), reporting to observers. */
  public static ProxyHarness named(Map<String, String> overrides, RequestObserver requests, UpstreamListener upstream)
      throws Exception {
    return new ProxyHarness(null, overrides, vertx -> new ProxyServer.Extras(requests, upstream, Tracing.OFF, null));
  }

  public URI tokenUri() {
    return URI.create("http://127.0.0.1:" + proxy.port() + "/oauth2/token");
  }

  public URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + proxy.port() + pathAndQuery);
  }

  /** A form POST to the token endpoint; {@code headers} are name, value pairs. */
  public HttpRequest.Builder form(String query, String body, String... headers) {
    URI uri = query == null ? tokenUri() : URI.create(tokenUri() + "?" + query);
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
        .timeout(Duration.ofSeconds(20))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    return builder;
  }

  public TokenReply post(String body, String... headers) throws Exception {
    return send(form(null, body, headers).build());
  }

  public TokenReply postWithQuery(String query, String body, String... headers) throws Exception {
    return send(form(query, body, headers).build());
  }

  public TokenReply send(HttpRequest request) throws Exception {
    return new TokenReply(http.send(request, HttpResponse.BodyHandlers.ofString()));
  }

  public CompletableFuture<TokenReply> sendAsync(HttpRequest request) {
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(TokenReply::new);
  }

  @Override
  public void close() throws Exception {
    proxy.stop().eventually(vertx::close).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
