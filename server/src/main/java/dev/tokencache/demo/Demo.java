package dev.tokencache.demo;

import dev.tokencache.config.RawConfig;
import dev.tokencache.config.Settings;
import dev.tokencache.config.SettingsParser;
import dev.tokencache.issuer.ClientRegistry;
import dev.tokencache.issuer.IssuerServer;
import dev.tokencache.issuer.RegisteredClient;
import dev.tokencache.server.ProxyServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code tokencache demo}: a local issuer, the proxy in front of it, and a fleet of applications asking for
 * tokens through the proxy; then a report of what the cache saved. Everything runs in this JVM on loopback.
 */
public final class Demo implements AutoCloseable {
  private final Vertx vertx;
  private final DemoOptions options;
  private final IssuerServer issuer;
  private final ProxyServer proxy;
  private final List<Fleet.App> apps;

  private Demo(Vertx vertx, DemoOptions options, IssuerServer issuer, ProxyServer proxy, List<Fleet.App> apps) {
    this.vertx = vertx;
    this.options = options;
    this.issuer = issuer;
    this.proxy = proxy;
    this.apps = apps;
  }

  /** Starts the issuer and the proxy (blocking until both listen). */
  public static Demo start(DemoOptions options) throws Exception {
    Vertx vertx = Vertx.vertx();
    List<Fleet.App> apps = new ArrayList<>();
    List<RegisteredClient> clients = new ArrayList<>(ClientRegistry.DEFAULTS);
    SecureRandom random = new SecureRandom();
    for (int i = 1; i <= options.apps(); i++) {
      byte[] secret = new byte[12];
      random.nextBytes(secret);
      Fleet.App app = new Fleet.App(String.format(Locale.ROOT, "app-%03d", i), HexFormat.of().formatHex(secret), i % 3);
      apps.add(app);
      clients.add(new RegisteredClient(app.clientId(), app.clientSecret(), Set.of("orders.read")));
    }
    IssuerServer issuer = await(IssuerServer.start(vertx,
        new IssuerServer.Options("127.0.0.1", 0, options.tokenLifetime(), null, new ClientRegistry(clients)),
        InstantSource.system()));
    Settings settings = SettingsParser.parse(RawConfig.defaults().withOverrides(Map.of(
        "server.host", "127.0.0.1",
        "server.port", Integer.toString(options.proxyPort()),
        "server.event-loops", "2",
        "upstream.token-url", issuer.tokenUrl(),
        "cache.min-remaining", options.minRemaining().toMillis() + "ms",
        "admin.port", "0",
        "log.access", "off")));
    ProxyServer proxy = await(ProxyServer.start(vertx, settings, InstantSource.system()));
    return new Demo(vertx, options, issuer, proxy, apps);
  }

  public int proxyPort() {
    return proxy.port();
  }

  public IssuerServer issuer() {
    return issuer;
  }

  /** Drives the fleet for the configured duration, showing progress on {@code out}, and returns the figures. */
  public DemoReport run(PrintStream out, boolean terminal) throws Exception {
    Fleet fleet = new Fleet(vertx, "127.0.0.1", proxy.port(), apps, options.interval().toMillis());
    Progress progress = new Progress(out, terminal, options.duration(), fleet, issuer);
    fleet.start();
    long ticker = vertx.setPeriodic(terminal ? 250 : 5_000, id -> progress.show());
    long end = System.nanoTime() + options.duration().toNanos();
    while (System.nanoTime() < end) {
      Thread.sleep(Math.min(100, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
    }
    vertx.cancelTimer(ticker);
    await(fleet.stop());
    progress.done();
    return new DemoReport(options, fleet.requests.get(), fleet.hits.get(), fleet.misses.get(), fleet.coalesced.get(),
        fleet.failures.get(), issuer.tokenRequests(), fleet.hitLatency.percentileMillis(50),
        fleet.hitLatency.percentileMillis(99), fleet.missLatency.percentileMillis(50),
        fleet.missLatency.percentileMillis(99));
  }

  /** Ready-to-paste requests for the three credential methods against the running proxy. */
  public String curlCommands() {
    String url = "http://127.0.0.1:" + proxy.port() + "/oauth2/token";
    return String.join(System.lineSeparator(),
        "",
        "The proxy keeps serving at " + url + " (issuer: " + issuer.issuer() + "). Try it; press Ctrl-C to stop.",
        "",
        "  # 1. HTTP Basic credentials",
        "  curl -si -u demo-client:demo-secret -d grant_type=client_credentials -d scope=orders.read " + url,
        "  # 2. credentials in the body",
        "  curl -si -d grant_type=client_credentials -d client_id=demo-client -d client_secret=demo-secret -d scope=orders.read " + url,
        "  # 3. credentials and scope in the query string",
        "  curl -si -d grant_type=client_credentials \"" + url
            + "?client_id=demo-client&client_secret=demo-secret&scope=orders.read%20orders.write\"",
        "  # force a fresh token (at most once per 10 s per client)",
        "  curl -si -H 'Cache-Control: no-cache' -u demo-client:demo-secret -d grant_type=client_credentials " + url,
        "");
  }

  @Override
  public void close() throws Exception {
    await(proxy.stop().eventually(issuer::stop).eventually(vertx::close));
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** The demo's defaults: 100 applications, 30 s tokens, 12 requests per lifetime, one minute. */
  public static DemoOptions defaults() {
    return new DemoOptions(100, Duration.ofSeconds(30), 12, Duration.ofSeconds(60), 0);
  }
}
