package dev.tokencache.demo;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Simulated client applications. Each asks the proxy for a token on a fixed interval, a third of them with each
 * of the three credential methods, and records how it was answered and how long it took.
 */
final class Fleet {
  /** One application's credentials and how it presents them. */
  record App(String clientId, String clientSecret, int method) {}

  private static final String SCOPE = "orders.read";

  private final Vertx vertx;
  private final HttpClient client;
  private final String host;
  private final int port;
  private final List<App> apps;
  private final long intervalMillis;
  private final List<Long> timers = new ArrayList<>();

  final AtomicLong requests = new AtomicLong();
  final AtomicLong hits = new AtomicLong();
  final AtomicLong misses = new AtomicLong();
  final AtomicLong coalesced = new AtomicLong();
  final AtomicLong failures = new AtomicLong();
  final AtomicLong inFlight = new AtomicLong();
  final Latencies hitLatency = new Latencies();
  final Latencies missLatency = new Latencies();

  Fleet(Vertx vertx, String host, int port, List<App> apps, long intervalMillis) {
    this.vertx = vertx;
    this.host = host;
    this.port = port;
    this.apps = apps;
    this.intervalMillis = intervalMillis;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(Math.min(64, apps.size())));
  }

  /** Starts every application at a random offset within the first interval, so the load is spread. */
  void start() {
    for (App app : apps) {
      long offset = 1 + ThreadLocalRandom.current().nextLong(intervalMillis);
      timers.add(vertx.setPeriodic(offset, intervalMillis, id -> ask(app)));
    }
  }

  /** Stops asking; the future completes when the last request in flight has its answer. */
  Future<Void> stop() {
    timers.forEach(vertx::cancelTimer);
    Promise<Void> drained = Promise.promise();
    long[] poll = new long[1];
    poll[0] = vertx.setPeriodic(1, 20, id -> {
      if (inFlight.get() == 0) {
        vertx.cancelTimer(poll[0]);
        drained.tryComplete();
      }
    });
    return drained.future().eventually(client::close);
  }

  private void ask(App app) {
    requests.incrementAndGet();
    inFlight.incrementAndGet();
    long started = System.nanoTime();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port)
        .setURI("/oauth2/token").putHeader(HttpHeaders.CONTENT_TYPE, "application/x-www-form-urlencoded");
    String body;
    switch (app.method()) {
      case 0 -> {
        options.putHeader(HttpHeaders.AUTHORIZATION, basic(app));
        body = "grant_type=client_credentials&scope=" + SCOPE;
      }
      case 1 -> body = "grant_type=client_credentials&scope=" + SCOPE + "&client_id=" + enc(app.clientId())
          + "&client_secret=" + enc(app.clientSecret());
      default -> {
        options.setURI("/oauth2/token?client_id=" + enc(app.clientId()) + "&client_secret=" + enc(app.clientSecret())
            + "&scope=" + SCOPE);
        body = "grant_type=client_credentials";
      }
    }
    client.request(options)
        .compose(request -> request.send(Buffer.buffer(body)))
        .compose(response -> response.body().map(ignored -> response))
        .onComplete(outcome -> {
          long took = System.nanoTime() - started;
          if (outcome.failed() || outcome.result().statusCode() != 200) {
            failures.incrementAndGet();
          } else {
            String result = outcome.result().getHeader("X-Token-Cache");
            if ("hit".equals(result)) {
              hits.incrementAndGet();
              hitLatency.add(took);
            } else if ("coalesced".equals(result)) {
              coalesced.incrementAndGet();
              missLatency.add(took);
            } else {
              misses.incrementAndGet();
              missLatency.add(took);
            }
          }
          inFlight.decrementAndGet();
        });
  }

  private static String basic(App app) {
    String pair = enc(app.clientId()) + ":" + enc(app.clientSecret());
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  private static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
