package dev.tokencache.observability;

import static dev.tokencache.support.Forms.basic;
import static dev.tokencache.support.Forms.enc;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokencache.config.Settings;
import dev.tokencache.support.FakeUpstream;
import dev.tokencache.support.MockIssuer;
import dev.tokencache.support.ProxyHarness;
import dev.tokencache.support.TokenReply;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Metrics scraped over HTTP, access-log lines, readiness. */
class ObservabilityTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String SECRET = "Sentinel-Secret-9f3a";

  private final ByteArrayOutputStream accessLines = new ByteArrayOutputStream();
  private final Observability observability = Observability.create(new Settings.Log("stdout"), accessLines);
  private final List<AutoCloseable> closing = new ArrayList<>();
  private AdminServer admin;

  @AfterEach
  void stop() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private ProxyHarness proxyInFrontOf(String url, Map<String, String> overrides) throws Exception {
    ProxyHarness proxy = ProxyHarness.observed(url, overrides, observability.requests(), observability.upstream());
    closing.add(proxy);
    observability.metrics().watch(proxy.proxy().pipeline());
    admin = AdminServer.start(proxy.vertx(), "127.0.0.1", 0, observability.registry(),
        dev.tokencache.cli.Checks.of(proxy.proxy())).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return proxy;
  }

  private String scrape() throws Exception {
    return get("/metrics").body();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static double value(String metrics, String series) {
    return dev.tokencache.support.Scrape.value(metrics, series, 0);
  }

  @Test
  void countersAndHistogramsMoveWithEachKindOfAnswer() throws Exception {
    MockIssuer issuer = new MockIssuer();
    closing.add(issuer);
    ProxyHarness proxy = proxyInFrontOf(issuer.tokenUrl(), Map.of());
    proxy.post("grant_type=client_credentials&scope=a", "Authorization", basic("svc", "pw"));
    proxy.post("grant_type=client_credentials&scope=a", "Authorization", basic("svc", "pw"));
    proxy.post("grant_type=client_credentials&scope=a", "Authorization", basic("svc", "pw"));
    proxy.post("grant_type=refresh_token&refresh_token=x", "Authorization", basic("svc", "pw"));
    proxy.post("scope=a", "Authorization", basic("svc", "pw"));

    String metrics = scrape();

    assertThat(value(metrics, "tokencache_requests_total{result=\"miss\",upstream=\"default\"}")).isEqualTo(1);
    assertThat(value(metrics, "tokencache_requests_total{result=\"hit\",upstream=\"default\"}")).isEqualTo(2);
    assertThat(value(metrics, "tokencache_requests_total{result=\"bypass\",upstream=\"default\"}")).isEqualTo(1);
    assertThat(value(metrics, "tokencache_requests_total{result=\"error\",upstream=\"default\"}")).isEqualTo(1);
    // mock-oauth2-server answers any refresh_token with 200: three token answers, one bypass, one refusal
    assertThat(value(metrics, "tokencache_responses_total{status=\"200\",upstream=\"default\"}")).isEqualTo(4);
    assertThat(value(metrics, "tokencache_responses_total{status=\"400\",upstream=\"default\"}")).isEqualTo(1);
    assertThat(value(metrics, "tokencache_upstream_requests_total{status=\"200\",upstream=\"default\"}")).isEqualTo(2);
    assertThat(value(metrics, "tokencache_upstream_calls_avoided_total{upstream=\"default\"}")).isEqualTo(2);
    assertThat(value(metrics, "tokencache_cache_entries")).isEqualTo(1);
    assertThat(value(metrics, "tokencache_request_duration_seconds_count{result=\"hit\",upstream=\"default\"}")).isEqualTo(2);
    assertThat(metrics).contains("tokencache_request_duration_seconds_bucket{result=\"hit\",upstream=\"default\",le=\"5.0E-5\"}")
        .contains("tokencache_upstream_duration_seconds_count{upstream=\"default\"} 2")
        .contains("jvm_memory_used_bytes")
        .contains("process_uptime_seconds");
  }

  @Test
  void coalescedTimeoutAndErrorsAreCounted() throws Exception {
    FakeUpstream upstream = new FakeUpstream();
    closing.add(upstream);
    ProxyHarness proxy = proxyInFrontOf(upstream.tokenUrl(), Map.of("upstream.timeout", "2s"));
    upstream.enqueue(FakeUpstream.token("t", 3600).setHeadersDelay(300, TimeUnit.MILLISECONDS));
    List<CompletableFuture<TokenReply>> burst = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      burst.add(proxy.sendAsync(proxy.form(null, "grant_type=client_credentials", "Authorization", basic("svc", "pw")).build()));
    }
    long coalesced = 0;
    for (CompletableFuture<TokenReply> reply : burst) {
      coalesced += "coalesced".equals(reply.get(10, TimeUnit.SECONDS).cacheResult()) ? 1 : 0;
    }
    upstream.enqueue(FakeUpstream.token("late", 3600).setHeadersDelay(3, TimeUnit.SECONDS));
    proxy.post("grant_type=client_credentials", "Authorization", basic("other", "pw"));

    String metrics = scrape();

    assertThat(value(metrics, "tokencache_requests_total{result=\"coalesced\",upstream=\"default\"}")).isEqualTo(coalesced);
    assertThat(value(metrics, "tokencache_upstream_requests_total{status=\"timeout\",upstream=\"default\"}")).isEqualTo(1);
    assertThat(value(metrics, "tokencache_responses_total{status=\"504\",upstream=\"default\"}")).isEqualTo(1);
    assertThat(value(metrics, "tokencache_requests_total{result=\"error\",upstream=\"default\"}")).isEqualTo(1);
  }

  @Test
  void accessLogHasOneJsonLinePerRequestAndNeverASecretOrToken() throws Exception {
    MockIssuer issuer = new MockIssuer();
    closing.add(issuer);
    FakeUpstream failing = new FakeUpstream();
    closing.add(failing);
    ProxyHarness proxy = proxyInFrontOf(issuer.tokenUrl(), Map.of());
    ProxyHarness broken = ProxyHarness.observed(failing.tokenUrl(), Map.of("upstream.timeout", "500ms"),
        observability.requests(), observability.upstream());
    closing.add(broken);
    failing.enqueue(FakeUpstream.json(401, "{\"error\":\"invalid_client\"}"));
    failing.enqueue(FakeUpstream.token("x", 60).setHeadersDelay(2, TimeUnit.SECONDS));

    List<String> forbidden = new ArrayList<>(List.of(SECRET, enc(SECRET), basic("svc", SECRET)));
    TokenReply ok = proxy.post("grant_type=client_credentials&scope=a", "Authorization", basic("svc", SECRET),
        "X-Request-Id", "trace-123");
    forbidden.add(ok.accessToken());
    forbidden.add(proxy.post("grant_type=client_credentials&scope=a", "Authorization", basic("svc", SECRET)).accessToken());
    proxy.postWithQuery("client_id=svc&client_secret=" + enc(SECRET) + "&scope=a", "grant_type=client_credentials");
    proxy.post("grant_type=client_credentials&client_id=svc&client_secret=" + enc(SECRET) + "&scope=a&scope=b");
    proxy.post("grant_type=client_credentials", "Authorization", "Basic " + SECRET);
    broken.post("grant_type=client_credentials", "Authorization", basic("svc", SECRET));
    broken.clock.advance(java.time.Duration.ofSeconds(11)); // past cache.negative-ttl: the 401 is no longer replayed
    broken.post("grant_type=client_credentials&client_id=svc&client_secret=" + enc(SECRET));
    observability.close();

    String log = accessLines.toString(StandardCharsets.UTF_8);
    List<String> lines = log.lines().toList();
    assertThat(lines).hasSize(7);
    for (String line : lines) {
      JsonNode json = JSON.readTree(line);
      assertThat(json.fieldNames()).toIterable().containsExactly("time", "request_id", "client_ip", "method", "path",
          "upstream", "status", "cache", "duration_ms", "upstream_ms", "client_id", "scope");
    }
    JsonNode first = JSON.readTree(lines.get(0));
    assertThat(first.get("request_id").asText()).isEqualTo("trace-123");
    assertThat(first.get("cache").asText()).isEqualTo("miss");
    assertThat(first.get("client_id").asText()).isEqualTo("svc");
    assertThat(first.get("scope").asText()).isEqualTo("a");
    assertThat(first.get("upstream_ms").isNumber()).isTrue();
    assertThat(JSON.readTree(lines.get(1)).get("upstream_ms").isNull()).isTrue();
    assertThat(lines).extracting(line -> JSON.readTree(line).get("status").asInt())
        .containsExactly(200, 200, 200, 400, 401, 401, 504);
    for (String secret : forbidden) {
      assertThat(log).doesNotContain(secret);
    }
    assertThat(log).doesNotContain("client_secret").doesNotContain("Basic");
  }

  @Test
  void aFailingUpstreamDegradesReadinessAndMovesTheStateGaugeAndTheNewResults() throws Exception {
    FakeUpstream upstream = new FakeUpstream();
    closing.add(upstream);
    ProxyHarness proxy = proxyInFrontOf(upstream.tokenUrl(), Map.of());
    upstream.enqueue(FakeUpstream.token("t", 3600));
    TokenReply warm = proxy.post("grant_type=client_credentials", "Authorization", basic("svc", "pw"));
    upstream.enqueue(FakeUpstream.json(503, "{\"error\":\"temporarily_unavailable\"}"));
    proxy.clock.advance(java.time.Duration.ofSeconds(warm.expiresIn() - 30)); // inside cache.min-remaining
    TokenReply stale = proxy.post("grant_type=client_credentials", "Authorization", basic("svc", "pw"));
    upstream.enqueue(FakeUpstream.json(503, "{\"error\":\"temporarily_unavailable\"}"));
    TokenReply failed = proxy.post("grant_type=client_credentials", "Authorization", basic("other", "pw"));
    TokenReply replayed = proxy.post("grant_type=client_credentials", "Authorization", basic("other", "pw"));

    HttpResponse<String> ready = get("/health/ready");
    String metrics = scrape();

    assertThat(stale.cacheResult()).isEqualTo("stale");
    assertThat(failed.status()).isEqualTo(503);
    assertThat(replayed.cacheResult()).isEqualTo("negative");
    assertThat(replayed.header("Retry-After")).isIn("1", "2"); // step 1: 1 s plus up to 50 % jitter, rounded up
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(ready.body()).at("/checks/upstream/status").asText()).isEqualTo("DEGRADED");
    assertThat(JSON.readTree(ready.body()).at("/checks/upstream/reason").asText()).isEqualTo("failing: status 503");
    assertThat(value(metrics, "tokencache_upstream_state{state=\"failing\",upstream=\"default\"}")).isEqualTo(1);
    assertThat(value(metrics, "tokencache_upstream_state{state=\"healthy\",upstream=\"default\"}")).isEqualTo(0);
    assertThat(value(metrics, "tokencache_requests_total{result=\"stale\",upstream=\"default\"}")).isEqualTo(1);
    assertThat(value(metrics, "tokencache_requests_total{result=\"backoff\",upstream=\"default\"}")).isEqualTo(1);
    assertThat(value(metrics, "tokencache_keys_on_hold{upstream=\"default\"}")).isEqualTo(2);
  }

  @Test
  void readinessGoesDownWhileTheOriginSecretCannotBeReadAndComesBack(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    MockIssuer issuer = new MockIssuer();
    closing.add(issuer);
    java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("origin"), SECRET);
    dev.tokencache.origin.SecretSource[] origin = new dev.tokencache.origin.SecretSource[1];
    ProxyHarness proxy = ProxyHarness.withOrigin(issuer.tokenUrl(), Map.of(), vertx -> origin[0] =
        dev.tokencache.origin.SecretSources.parse("file:" + file, Map.of(), java.time.Duration.ofSeconds(30),
            java.time.Duration.ofMinutes(10), java.time.InstantSource.system()));
    closing.add(proxy);
    admin = AdminServer.start(proxy.vertx(), "127.0.0.1", 0, observability.registry(),
        dev.tokencache.cli.Checks.of(proxy.proxy(), origin[0])).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    assertThat(get("/health/ready").statusCode()).isEqualTo(200);

    java.nio.file.Files.delete(file);
    origin[0].refresh().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    HttpResponse<String> down = get("/health/ready");
    TokenReply stillServing = proxy.post("grant_type=client_credentials", "Authorization", basic("svc", "pw"));

    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(JSON.readTree(down.body()).at("/checks/origin-secret/reason").asText()).contains("does not exist");
    assertThat(down.body()).doesNotContain(SECRET);
    assertThat(stillServing.status()).isEqualTo(200);
    assertThat(issuer.takeRequests().get(0).getHeader("x-origin-verify")).isEqualTo(SECRET);

    java.nio.file.Files.writeString(file, SECRET);
    origin[0].refresh().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(get("/health/ready").statusCode()).isEqualTo(200);
  }

  @Test
  void accessLogCanGoToAFileAndBeTurnedOff(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("access.log");
    dev.tokencache.http.RequestRecord record = new dev.tokencache.http.RequestRecord(java.time.Instant.EPOCH, "id-1",
        "127.0.0.1", "POST", "/oauth2/token", "default", 200, dev.tokencache.cache.CacheResult.HIT, false, 1_000_000, -1, "svc", new java.util.TreeSet<>(java.util.List.of("a")));
    Observability toFile = Observability.create(new Settings.Log(file.toString()), accessLines);
    toFile.requests().completed(record);
    toFile.close();
    Observability off = Observability.create(new Settings.Log("off"), accessLines);
    off.requests().completed(record);
    off.close();

    assertThat(java.nio.file.Files.readAllLines(file)).singleElement().asString()
        .startsWith("{\"time\":\"1970-01-01T00:00:00Z\",\"request_id\":\"id-1\"").contains("\"cache\":\"hit\"");
    assertThat(accessLines.size()).isZero();
  }

  @Test
  void readinessGoesDownWhenTheListenerStops() throws Exception {
    MockIssuer issuer = new MockIssuer();
    closing.add(issuer);
    ProxyHarness proxy = proxyInFrontOf(issuer.tokenUrl(), Map.of());

    HttpResponse<String> ready = get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(ready.body()).at("/checks/listener/status").asText()).isEqualTo("UP");
    assertThat(get("/health/live").statusCode()).isEqualTo(200);

    proxy.proxy().stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    HttpResponse<String> down = get("/health/ready");

    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(JSON.readTree(down.body()).at("/checks/listener/reason").asText()).isEqualTo("shutting down");
  }
}
