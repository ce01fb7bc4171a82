package dev.tokencache.server;

import org.jspecify.annotations.Nullable;
import dev.tokencache.cache.MemoryStore;
import dev.tokencache.cache.SharedStore;
import dev.tokencache.cache.redis.RedisTier;
import dev.tokencache.config.Settings;
import dev.tokencache.edge.ConnectionLimit;
import dev.tokencache.edge.HttpEdge;
import dev.tokencache.http.RequestObserver;
import dev.tokencache.http.Route;
import dev.tokencache.http.TokenEndpoint;
import dev.tokencache.origin.SecretSource;
import dev.tokencache.pipeline.TokenPipeline;
import dev.tokencache.token.CacheKeyDeriver;
import dev.tokencache.tracing.Tracing;
import dev.tokencache.upstream.UpstreamClient;
import dev.tokencache.upstream.UpstreamListener;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running token proxy ({@code tokencache serve}): one listener per event loop in front of one shared
 * {@link TokenPipeline}. Start with {@link #start}; stop with {@link #stop}, which drains for {@code server.drain}
 * (readiness down, answers close their connections), then lets in-flight requests finish within
 * {@code server.shutdown-grace} and answers the ones still waiting with 503.
 */
public final class ProxyServer {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);
  /** How long a connection may stay open past the shutdown grace: for the 503 written at the grace's end. */
  private static final Duration CLOSE_MARGIN = Duration.ofSeconds(1);

  private final Vertx vertx;
  private final List<String> deployments;
  private final List<UpstreamClient> clients;
  private final Map<String, TokenPipeline> pipelines;
  private final Optional<SharedStore> shared;
  private final java.util.Set<Integer> listenerPorts;
  private final int port;
  private final TokenEndpoint endpoint;
  private final Settings.Server server;
  private final AtomicBoolean draining;
  private @Nullable Future<Void> stopping;

  private ProxyServer(Vertx vertx, List<String> deployments, List<UpstreamClient> clients,
      Map<String, TokenPipeline> pipelines, Optional<SharedStore> shared, int port, java.util.Set<Integer> ports,
      TokenEndpoint endpoint, Settings.Server server, AtomicBoolean draining) {
    this.endpoint = endpoint;
    this.server = server;
    this.draining = draining;
    this.listenerPorts = java.util.Set.copyOf(ports);
    this.vertx = vertx;
    this.shared = shared;
    this.deployments = deployments;
    this.clients = clients;
    this.pipelines = pipelines;
    this.port = port;
  }

  /**
   * Starts the proxy on {@code vertx}. The future completes once every listener is bound, on a Vert.x thread.
   *
   * @param clock the time source for every expiry decision
   */
  public static Future<ProxyServer> start(Vertx vertx, Settings settings, InstantSource clock) {
    return start(vertx, settings, clock, Extras.NONE);
  }

  /**
   * What the proxy reports to and adds upstream, beyond its settings.
   *
   * @param requests told about every answered request (metrics, access log)
   * @param upstream told about every upstream exchange (metrics)
   * @param tracing spans, when on
   * @param originSecret the started source of the {@code origin.header} value, or {@code null} for none
   * @param upstreamOrigins the started sources of named upstreams that set their own {@code origin.secret}; the
   *     others use {@code originSecret}
   */
  public record Extras(RequestObserver requests, UpstreamListener upstream, Tracing tracing, @Nullable SecretSource originSecret,
      Map<String, SecretSource> upstreamOrigins) {
    public static final Extras NONE = new Extras(RequestObserver.NONE, UpstreamListener.NONE, Tracing.OFF, null);

    /** With one origin secret source for every upstream. */
    public Extras(RequestObserver requests, UpstreamListener upstream, Tracing tracing,
        @Nullable SecretSource originSecret) {
      this(requests, upstream, tracing, originSecret, Map.of());
    }

    /** The origin secret source of the upstream called {@code name}, or {@code null} for none. */
    @Nullable SecretSource originFor(String name) {
      return upstreamOrigins.getOrDefault(name, originSecret);
    }
  }

  /**
   * Starts the proxy with its {@link Extras}.
   */
  public static Future<ProxyServer> start(Vertx vertx, Settings settings, InstantSource clock, Extras extras) {
    byte[] keySecret = settings.cache().keySecret().map(s -> s.bytes()).orElseGet(ProxyServer::randomKey);
    Optional<SharedStore> shared = sharedStore(vertx, settings, keySecret);
    Future<Void> connected = shared.map(SharedStore::connect).orElse(Future.succeededFuture());
    // one store for every upstream: their keys differ (each derivation includes the upstream's token URL)
    MemoryStore store = new MemoryStore(settings.cache().maxEntries(), settings.cache().maxMemoryBytes(),
        settings.cache().maxKeysPerClient(), clock);
    List<Route> routes = new ArrayList<>();
    List<UpstreamClient> clients = new ArrayList<>();
    Map<String, TokenPipeline> pipelines = new java.util.LinkedHashMap<>();
    for (Settings.NamedUpstream named : settings.routes()) {
      String header = named.origin().header();
      SecretSource origin = extras.originFor(named.name());
      Supplier<Map.Entry<String, String>> originHeader = origin == null
          ? () -> null
          : () -> Map.entry(header, origin.current());
      UpstreamClient client = new UpstreamClient(vertx, named.upstream(), originHeader,
          extras.upstream().forUpstream(named.name()), extras.tracing());
      TokenPipeline pipeline = new TokenPipeline(settings.cache(), named.upstream(), client, store, shared, vertx,
          clock, () -> ThreadLocalRandom.current().nextDouble());
      clients.add(client);
      pipelines.put(named.name(), pipeline);
      routes.add(new Route(named.route(settings.server().tokenPath()), named.name(), pipeline,
          new CacheKeyDeriver(keySecret, client.tokenUrl().toString())));
    }
    TokenEndpoint endpoint = new TokenEndpoint(settings, routes, clock, extras.requests(), extras.tracing());

    int listeners = settings.server().eventLoops() > 0
        ? settings.server().eventLoops()
        : Runtime.getRuntime().availableProcessors();
    HttpServerOptions options = listenerOptions(settings.server());
    List<ListenerVerticle> instances = new ArrayList<>();
    if (options.getPort() == 0) {
      // Vert.x gives each port-0 listener a port of its own: pick one free port for every event loop to share
      options.setPort(freePort(settings.server().host()));
    }
    AtomicBoolean draining = new AtomicBoolean();
    HttpEdge.Policy policy = new HttpEdge.Policy(settings.server().headerTimeout(), settings.server().idleTimeout(),
        ConnectionLimit.of("token listener", settings.server().maxConnections()));
    // a connection may outlive the grace by this much: time for the 503 the grace's end writes to reach its client
    Duration closeWithin = settings.server().shutdownGrace().plus(CLOSE_MARGIN);
    // One deployment with several instances: Vert.x shares one bound port among them.
    return connected.compose(ready -> vertx.deployVerticle(() -> {
      ListenerVerticle listener = new ListenerVerticle(options, endpoint, endpoint::invalid, policy, draining,
          closeWithin);
      synchronized (instances) {
        instances.add(listener);
      }
      return listener;
    }, new DeploymentOptions().setInstances(listeners))).map(id -> {
      int port = instances.get(0).actualPort();
      String scheme = settings.server().tls().isPresent() ? "https" : "http";
      for (int i = 0; i < routes.size(); i++) {
        LOG.info("token proxy listening on {}://{}:{}{} in front of {} ({} event loops, {} connections at most)",
            scheme, settings.server().host(), port, routes.get(i).path(),
            dev.tokencache.config.ConfigValues.maskUserInfo(clients.get(i).tokenUrl().toString()), listeners,
            policy.connections().max());
      }
      java.util.Set<Integer> ports = new java.util.TreeSet<>();
      instances.forEach(instance -> ports.add(instance.actualPort()));
      return new ProxyServer(vertx, List.of(id), clients, pipelines, shared, port, ports, endpoint, settings.server(),
          draining);
    });
  }

  /** The Redis store when {@code cache.backend} is redis; no Redis client exists otherwise. */
  private static Optional<SharedStore> sharedStore(Vertx vertx, Settings settings, byte[] keySecret) {
    return "redis".equals(settings.cache().backend())
        ? Optional.of(RedisTier.create(vertx, settings, keySecret))
        : Optional.empty();
  }

  private static HttpServerOptions listenerOptions(Settings.Server server) {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(server.host())
        .setPort(server.port())
        // idle = nothing received: a read timeout, not Vert.x's read-or-write one, whose handler hangs a listener
        // on every write's promise (~1 % of a hit's CPU). A token answer is written at once, so the two close the
        // same connections.
        .setReadIdleTimeout((int) Math.min(Integer.MAX_VALUE, server.idleTimeout().toMillis()))
        .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
        .setCompressionSupported(false)
        // no WebSocket on a token endpoint: without these, Vert.x puts a WebSocket extension handler in front of
        // every request (about 2 % of a hit's CPU in a profile)
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false)
        // No cleartext HTTP/2 upgrade: on shutdown an h2c connection gets GOAWAY, which the JDK 17 HTTP client
        // turns into a failure of its request in flight (SigtermTest). HTTP/2 stays available over TLS (ALPN).
        .setHttp2ClearTextEnabled(false)
        // Every answer is written on the connection's own event loop (TokenPipeline hands an answer that completes
        // elsewhere back to the request's context), so Vert.x may write straight to the channel instead of through
        // its cross-thread outbound queue: about 0.8 µs less CPU per hit (docs/benchmarks.md).
        .setStrictThreadMode(true);
    server.tls().ifPresent(tls -> options
        .setSsl(true)
        .setUseAlpn(true)
        .setKeyCertOptions(new PemKeyCertOptions()
            .setCertPath(tls.cert().toString())
            .setKeyPath(tls.key().toString())));
    return options;
  }

  /** A port free on {@code host} now (the operating system's choice), for {@code server.port: 0}. */
  private static int freePort(String host) {
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
      return probe.getLocalPort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("token listener " + host + ":0: no free port (" + e.getMessage() + ")", e);
    }
  }

  private static byte[] randomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return key;
  }

  /** The ports the listeners of every event loop are bound to: one, always. */
  public java.util.Set<Integer> listenerPorts() {
    return listenerPorts;
  }

  /** The bound port of the token listener. */
  public int port() {
    return port;
  }

  /** Whether the listeners accept requests: true from start until {@link #stop} is called. */
  public synchronized boolean isAccepting() {
    return stopping == null;
  }

  /** The fetch pipeline of the first upstream (the default one when set), for metrics, readiness and tests. */
  public TokenPipeline pipeline() {
    return pipelines.values().iterator().next();
  }

  /** Every upstream's fetch pipeline, by upstream name, in route order. */
  public Map<String, TokenPipeline> pipelines() {
    return pipelines;
  }

  /**
   * Drains, stops accepting, lets in-flight requests finish within the grace period (answering the ones still
   * waiting for the authorization server with 503 when it ends), then closes upstream connections. Readiness
   * ({@link #isAccepting}) reports down from the first call. Idempotent: later calls return the first call's future.
   */
  public synchronized Future<Void> stop() {
    if (stopping == null) {
      stopping = drain()
          .compose(drained -> stopListeners())
          .eventually(() -> Future.join(clients.stream().map(UpstreamClient::close).toList()))
          .eventually(() -> shared.isPresent() ? shared.get().close() : Future.succeededFuture());
    }
    return stopping;
  }

  /**
   * The drain: for {@code server.drain}, readiness is down (load balancers stop sending) while the listener still
   * accepts and answers, each answer with {@code Connection: close} (keep-alive clients reconnect elsewhere).
   */
  private Future<Void> drain() {
    if (server.drain().isZero()) {
      return Future.succeededFuture();
    }
    LOG.info("draining for {} ms: readiness reports down, every answer closes its connection",
        server.drain().toMillis());
    draining.set(true);
    io.vertx.core.Promise<Void> drained = io.vertx.core.Promise.promise();
    vertx.setTimer(server.drain().toMillis(), ignored -> drained.complete());
    return drained.future();
  }

  /** Closes the listeners gracefully; at the grace's end, the requests still waiting get 503 instead of a reset. */
  private Future<Void> stopListeners() {
    long graceMillis = Math.max(1, server.shutdownGrace().toMillis());
    long timer = vertx.setTimer(graceMillis, ignored -> {
      int abandoned = endpoint.abandonWaiting();
      if (abandoned > 0) {
        LOG.warn("shutdown grace of {} ms over: answered {} request(s) still waiting for the authorization server "
            + "with 503", graceMillis, abandoned);
      }
    });
    List<Future<Void>> undeployed = new ArrayList<>();
    for (String id : deployments) {
      undeployed.add(vertx.undeploy(id));
    }
    return Future.join(undeployed).<Void>mapEmpty().eventually(() -> {
      vertx.cancelTimer(timer);
      return Future.succeededFuture();
    });
  }
}
