package dev.tokencache.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A scripted outage of the authorization server, driven through a running proxy: how many requests reach the
 * upstream while it fails, and how many clients are still served. Loopback only, bounded in time.
 *
 * <p>Timeline (seconds): {@code 0..warm} healthy; {@code warm..warm+outage} every token request is answered
 * 503 (or 429 with {@code Retry-After: 30} with {@code --throttle}); then healthy again for {@code 10}. Clients,
 * each a thread sending one request every 100 ms: 10 warm clients with 1-hour tokens, 10 warm clients with
 * 75-second tokens (they pass their refresh-ahead point and enter {@code cache.min-remaining} during the outage),
 * one client in a {@code Cache-Control: no-cache} loop, one client with a wrong secret, and a new client arriving
 * every second.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.tokencache.bench.OutageRun UPSTREAM_PORT PROXY_TOKEN_URL \
 *     [--warm 10] [--outage 60] [--throttle]
 * </pre>
 * Start the upstream first (this program does, on UPSTREAM_PORT), then the proxy in front of
 * {@code http://127.0.0.1:UPSTREAM_PORT/oauth2/token}: {@code bench/outage.sh} does both.
 */
public final class OutageRun {
  private static final String PHASE_HEALTHY = "healthy";
  private static final String PHASE_OUTAGE = "outage";
  private static final String PHASE_AFTER = "after";

  private final long started = System.nanoTime();
  private final int warmSeconds;
  private final int outageSeconds;
  private final boolean throttle;
  private final Map<String, AtomicInteger> upstreamByPhase = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> sent = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> ok = new ConcurrentHashMap<>();
  private final AtomicLong tokenSerial = new AtomicLong();

  private OutageRun(int warmSeconds, int outageSeconds, boolean throttle) {
    this.warmSeconds = warmSeconds;
    this.outageSeconds = outageSeconds;
    this.throttle = throttle;
  }

  public static void main(String[] args) throws Exception {
    int upstreamPort = Integer.parseInt(args[0]);
    URI proxy = URI.create(args[1]);
    int warm = 10;
    int outage = 60;
    boolean throttle = false;
    for (int i = 2; i < args.length; i++) {
      switch (args[i]) {
        case "--warm" -> warm = Integer.parseInt(args[++i]);
        case "--outage" -> outage = Integer.parseInt(args[++i]);
        case "--throttle" -> throttle = true;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    new OutageRun(warm, outage, throttle).run(upstreamPort, proxy);
    System.exit(0); // the JDK HTTP server's and client's threads would keep the JVM alive
  }

  private double elapsed() {
    return (System.nanoTime() - started) / 1e9;
  }

  private String phase() {
    double t = elapsed();
    return t < warmSeconds ? PHASE_HEALTHY : t < warmSeconds + outageSeconds ? PHASE_OUTAGE : PHASE_AFTER;
  }

  private void run(int upstreamPort, URI proxy) throws Exception {
    HttpServer upstream = upstream(upstreamPort);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    ExecutorService clients = Executors.newCachedThreadPool();
    long end = started + TimeUnit.SECONDS.toNanos(warmSeconds + outageSeconds + 10);
    for (int i = 0; i < 10; i++) {
      clients.submit(loop(http, proxy, "warm-long", "long-" + i, "secret", false, end));
      clients.submit(loop(http, proxy, "warm-short", "short-" + i, "secret", false, end));
    }
    clients.submit(loop(http, proxy, "forced-refresh", "forcing", "secret", true, end));
    clients.submit(loop(http, proxy, "wrong-secret", "long-0", "not-the-secret", false, end));
    for (int i = 0; System.nanoTime() < end; i++) {
      clients.submit(loop(http, proxy, "new-client", "new-" + i, "secret", false, end));
      Thread.sleep(1000);
    }
    clients.shutdown();
    clients.awaitTermination(30, TimeUnit.SECONDS);
    upstream.stop(0);
    report();
  }

  /** One client: a request every 100 ms until {@code end}, counted by category and phase. */
  private Runnable loop(HttpClient http, URI proxy, String category, String clientId, String secret, boolean force,
      long end) {
    String basic = "Basic " + Base64.getEncoder().encodeToString(
        (clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
    return () -> {
      while (System.nanoTime() < end) {
        String phase = phase();
        HttpRequest.Builder request = HttpRequest.newBuilder(proxy)
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Authorization", basic)
            .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope="
                + URLEncoder.encode("api", StandardCharsets.UTF_8)));
        if (force) {
          request.header("Cache-Control", "no-cache");
        }
        String counter = category + " " + phase;
        sent.computeIfAbsent(counter, c -> new AtomicInteger()).incrementAndGet();
        try {
          HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
          if (response.statusCode() == 200) {
            ok.computeIfAbsent(counter, c -> new AtomicInteger()).incrementAndGet();
          }
        } catch (IOException e) {
          // counted as not ok
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        try {
          Thread.sleep(100); // a steady client, not a flood: ~10 requests a second each
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    };
  }

  /** The scripted authorization server: tokens when healthy, 503 or 429 during the outage; counts requests. */
  private HttpServer upstream(int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 512);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext("/oauth2/token", exchange -> {
      String phase = phase();
      upstreamByPhase.computeIfAbsent(phase, p -> new AtomicInteger()).incrementAndGet();
      exchange.getRequestBody().readAllBytes();
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      String pair = authorization == null ? ":" : new String(Base64.getDecoder().decode(authorization.substring(6)),
          StandardCharsets.UTF_8);
      int status;
      String body;
      if (PHASE_OUTAGE.equals(phase)) {
        status = throttle ? 429 : 503;
        body = throttle ? "{\"error\":\"slow_down\"}" : "{\"error\":\"temporarily_unavailable\"}";
        if (throttle) {
          exchange.getResponseHeaders().add("Retry-After", "30");
        }
      } else if (!pair.endsWith(":secret")) {
        status = 401;
        body = "{\"error\":\"invalid_client\"}";
      } else {
        status = 200;
        long expiresIn = pair.startsWith("short-") ? 75 : 3600;
        body = "{\"access_token\":\"tok-" + tokenSerial.incrementAndGet() + "\",\"token_type\":\"Bearer\",\"expires_in\":"
            + expiresIn + "}";
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    });
    server.start();
    return server;
  }

  private void report() {
    System.out.printf("upstream %s for %d s (after %d s healthy, then 10 s healthy)%n",
        throttle ? "answering 429 with Retry-After: 30" : "answering 503", outageSeconds, warmSeconds);
    System.out.printf("%-16s %-8s %9s %9s %8s%n", "clients", "phase", "requests", "200", "success");
    List<String> rows = new ArrayList<>(sent.keySet());
    rows.sort(null);
    int total = 0;
    for (String row : rows) {
      int n = sent.get(row).get();
      int good = ok.getOrDefault(row, new AtomicInteger()).get();
      total += n;
      String[] parts = row.split(" ");
      System.out.printf("%-16s %-8s %9d %9d %7.1f%%%n", parts[0], parts[1], n, good, 100.0 * good / n);
    }
    System.out.printf("client requests in all: %d%n", total);
    for (String phase : List.of(PHASE_HEALTHY, PHASE_OUTAGE, PHASE_AFTER)) {
      System.out.printf("upstream requests while %s: %d%n", phase,
          upstreamByPhase.getOrDefault(phase, new AtomicInteger()).get());
    }
  }
}
