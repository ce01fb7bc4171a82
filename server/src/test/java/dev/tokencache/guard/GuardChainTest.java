package dev.tokencache.guard;

import static dev.tokencache.support.Forms.basic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokencache.origin.SecretSource;
import dev.tokencache.origin.SecretSources;
import dev.tokencache.support.FakeSecretsManager;
import dev.tokencache.support.MockIssuer;
import dev.tokencache.support.MutableClock;
import dev.tokencache.support.ProxyHarness;
import dev.tokencache.support.TokenReply;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** client → proxy → guard → mock-oauth2-server: tokens flow; nobody gets past the guard without the secret. */
class GuardChainTest {
  private static final String HEADER = "x-origin-verify";
  private static final String SECRET = "Q7vJ2mX9kL4pR8tW1zY6bN3cF5hD0sA2";

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();
  private final MutableClock guardClock = new MutableClock(Instant.now());
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<String> accessLines = new java.util.concurrent.CopyOnWriteArrayList<>();
  private MockIssuer issuer;
  private GuardServer guard;

  @AfterEach
  void stop() throws Exception {
    if (guard != null) {
      await(guard.stop());
    }
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    await(vertx.close());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private SecretSource source(String spec, Duration poll) throws Exception {
    return await(SecretSources.parse(spec, Map.of(), poll, Duration.ofMinutes(10), guardClock).start(vertx));
  }

  private void startGuard(String spec) throws Exception {
    issuer = new MockIssuer();
    closing.add(issuer);
    guard = await(GuardServer.start(vertx, "127.0.0.1", 0, URI.create(issuer.server.baseUrl().toString()), HEADER,
        List.of(source(spec, Duration.ofSeconds(1))), new SimpleMeterRegistry(), accessLines::add, guardClock));
  }

  private String guardTokenUrl() {
    return "http://127.0.0.1:" + guard.port() + "/default/token";
  }

  private ProxyHarness proxyThroughGuard(String spec, Map<String, String> overrides) throws Exception {
    ProxyHarness proxy = ProxyHarness.withOrigin(guardTokenUrl(), overrides,
        proxyVertx -> SecretSources.parse(spec, Map.of(), Duration.ofSeconds(1), Duration.ofMinutes(10), guardClock));
    closing.add(proxy);
    return proxy;
  }

  private HttpResponse<String> direct(String headerValue) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(guardTokenUrl()))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Authorization", basic("svc", "pw"))
        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=a"));
    if (headerValue != null) {
      request.header(HEADER, headerValue);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void tokensFlowThroughProxyAndGuardAndTheHeaderIsStripped() throws Exception {
    Path file = Files.writeString(dir.resolve("origin"), SECRET + "\n");
    startGuard("file:" + file);
    ProxyHarness proxy = proxyThroughGuard("file:" + file, Map.of());

    TokenReply first = proxy.post("grant_type=client_credentials&scope=a", "Authorization", basic("svc", "pw"));
    TokenReply second = proxy.post("grant_type=client_credentials&scope=a", "Authorization", basic("svc", "pw"));

    assertThat(first.status()).as("%s", first).isEqualTo(200);
    assertThat(second.cacheResult()).isEqualTo("hit");
    List<RecordedRequest> received = issuer.takeRequests();
    assertThat(received).hasSize(1);
    assertThat(received.get(0).getHeader(HEADER)).isNull();
    assertThat(received.get(0).getHeader("Authorization")).isEqualTo(basic("svc", "pw"));
  }

  /** The seed's testing guide: a direct POST to the authorization server, bypassing the proxy, gets 403. */
  @Test
  void seedTestDirectAccessWithoutTheHeaderIsBlocked() throws Exception {
    startGuard("file:" + Files.writeString(dir.resolve("s"), SECRET));

    HttpResponse<String> response = direct(null);

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body())
        .isEqualTo("{\"message\":\"Direct access to the authorization server is not allowed. Use the token proxy.\"}");
    assertThat(issuer.takeRequests()).isEmpty();
  }

  @Test
  void wrongAndNearMissSecretsAreRefusedAndNeverReachTheServer() throws Exception {
    startGuard("file:" + Files.writeString(dir.resolve("s"), SECRET));
    List<String> nearMisses = List.of("wrong", SECRET.substring(0, SECRET.length() - 1) + "3",
        SECRET.substring(0, 10), SECRET + "x", SECRET.toLowerCase(), SECRET.toUpperCase(), SECRET + SECRET, "");

    for (String attempt : nearMisses) {
      HttpResponse<String> response = direct(attempt);
      assertThat(response.statusCode()).as(attempt).isEqualTo(403);
      assertThat(response.body()).doesNotContain(SECRET);
      assertThat(response.headers().map().toString()).doesNotContain(SECRET);
    }
    assertThat(issuer.takeRequests()).isEmpty();
    assertThat(direct(SECRET).statusCode()).isEqualTo(200);
    // the guard writes its line when its side of the exchange ends, which may be just after the client has it
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (accessLines.size() < nearMisses.size() + 1 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(accessLines).hasSize(nearMisses.size() + 1);
    assertThat(accessLines.get(0)).contains("\"status\":403", "\"guard\":\"refused\"", "\"path\":\"/default/token\"");
    assertThat(accessLines.get(nearMisses.size())).contains("\"status\":200", "\"guard\":\"forwarded\"");
    assertThat(String.join("\n", accessLines)).doesNotContain(SECRET).doesNotContain(SECRET.substring(0, 10));
  }

  @Test
  void fileRotationUnderLoadDropsNoRequest() throws Exception {
    Path file = Files.writeString(dir.resolve("origin"), "old-" + SECRET);
    startGuard("file:" + file);
    ProxyHarness proxy = proxyThroughGuard("file:" + file, Map.of("cache.force-refresh-interval", "0s"));

    LoadResult load = underLoad(proxy, () -> Files.writeString(file, "new-" + SECRET), () -> proxy.post(
        "grant_type=client_credentials", "Authorization", basic("probe", "pw")));

    assertThat(load.failures).as("failed requests during rotation").isZero();
    assertThat(load.requests).isGreaterThan(20);
    assertThat(direct("new-" + SECRET).statusCode()).isEqualTo(200);
    assertThat(direct("old-" + SECRET).statusCode()).as("old value inside the grace period").isEqualTo(200);
    guardClock.advance(Duration.ofMinutes(10));
    assertThat(direct("old-" + SECRET).statusCode()).as("old value after the grace period").isEqualTo(403);
  }

  @Test
  void secretsManagerRotationThroughTheAwsSdkUnderLoadDropsNoRequest() throws Exception {
    FakeSecretsManager secretsManager = new FakeSecretsManager("old-" + SECRET);
    closing.add(secretsManager);
    System.setProperty("aws.region", "us-east-1");
    System.setProperty("aws.accessKeyId", "AKIDEXAMPLE");
    System.setProperty("aws.secretAccessKey", "example-secret-key");
    System.setProperty("aws.endpointUrlSecretsManager", secretsManager.endpoint());
    try {
      String spec = "aws-secretsmanager:" + FakeSecretsManager.ARN;
      startGuard(spec);
      ProxyHarness proxy = proxyThroughGuard(spec, Map.of("cache.force-refresh-interval", "0s"));

      LoadResult load = underLoad(proxy, () -> {
        secretsManager.rotateTo("new-" + SECRET);
        return null;
      }, () -> null);

      assertThat(load.failures).as("failed requests during rotation").isZero();
      assertThat(secretsManager.reads.get()).isGreaterThan(4);
      assertThat(direct("new-" + SECRET).statusCode()).isEqualTo(200);
      assertThat(direct("old-" + SECRET).statusCode()).as("AWSPREVIOUS is accepted").isEqualTo(200);
      assertThat(direct("older").statusCode()).isEqualTo(403);
    } finally {
      System.clearProperty("aws.endpointUrlSecretsManager");
      System.clearProperty("aws.accessKeyId");
      System.clearProperty("aws.secretAccessKey");
      System.clearProperty("aws.region");
    }
  }

  interface Step {
    Object run() throws Exception;
  }

  record LoadResult(int requests, int failures) {}

  /**
   * Four clients ask through the proxy with {@code Cache-Control: no-cache}, so every request crosses the guard,
   * while {@code rotate} runs; the load goes on for three seconds after it (the sources poll every second).
   * Bounded: at most 4 x 1500 requests.
   */
  private LoadResult underLoad(ProxyHarness proxy, Step rotate, Step afterRotation) throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger requests = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    List<CompletableFuture<Void>> clients = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      String client = "client-" + c;
      clients.add(CompletableFuture.runAsync(() -> {
        for (int i = 0; i < 1500 && running.get(); i++) {
          try {
            TokenReply reply = proxy.post("grant_type=client_credentials&scope=a", "Authorization",
                basic(client, "pw"), "Cache-Control", "no-cache");
            requests.incrementAndGet();
            if (reply.status() != 200) {
              failures.incrementAndGet();
            }
          } catch (Exception e) {
            failures.incrementAndGet();
          }
        }
      }));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (requests.get() < 20 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    rotate.run();
    afterRotation.run();
    Thread.sleep(3_000); // load period across the sources' one-second polls: a load window, not a wait for a result
    running.set(false);
    CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    return new LoadResult(requests.get(), failures.get());
  }
}
