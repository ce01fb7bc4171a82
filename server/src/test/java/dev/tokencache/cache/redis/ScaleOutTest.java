package dev.tokencache.cache.redis;

import static dev.tokencache.support.Forms.basic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokencache.observability.ProxyMetrics;
import dev.tokencache.support.BackgroundLoad;
import dev.tokencache.support.Burst;
import dev.tokencache.support.MockIssuer;
import dev.tokencache.support.ProxyHarness;
import dev.tokencache.support.RedisServer;
import dev.tokencache.support.TokenReply;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Three proxies sharing one real Redis, in front of mock-oauth2-server. */
class ScaleOutTest {
  private static final String SECRET = "Zx81-client-secret-Q";
  private static final String KEY_SECRET = "shared-key-secret-for-all-instances";

  private RedisServer redis;
  private MockIssuer issuer;
  private final List<ProxyHarness> proxies = new ArrayList<>();
  private final Vertx vertx = Vertx.vertx();
  private RedisAPI raw;

  @BeforeEach
  void start() throws Exception {
    redis = new RedisServer();
    issuer = new MockIssuer();
    for (int i = 0; i < 3; i++) {
      proxies.add(ProxyHarness.start(issuer.tokenUrl(), Map.of("cache.backend", "redis", "redis.url", redis.url(),
          "cache.key-secret", KEY_SECRET, "redis.timeout", "2s")));
    }
    raw = RedisAPI.api(Redis.createClient(vertx, redis.url()));
    proxies.forEach(proxy -> proxy.clock.setTo(proxies.get(0).clock.instant())); // one time for all instances
  }

  @AfterEach
  void stop() throws Exception {
    for (ProxyHarness proxy : proxies) {
      proxy.close();
    }
    raw.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    issuer.close();
    redis.close();
  }

  private TokenReply ask(int instance, String scope) throws Exception {
    return proxies.get(instance).post("grant_type=client_credentials&scope=" + scope,
        "Authorization", basic("orders-service", SECRET));
  }

  private <T> T await(io.vertx.core.Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void threeHundredConcurrentRequestsAcrossThreeInstancesMakeOneUpstreamRequest() throws Exception {
    Set<String> tokens = Burst.tokens(proxies, 300, "orders.read", basic("orders-service", SECRET));

    assertThat(issuer.takeRequests()).as("upstream requests").hasSize(1);
    assertThat(tokens).as("distinct tokens handed out").hasSize(1);
  }

  @Test
  void tokenCachedByOneInstanceIsAHitOnAnotherWithTheRightRemainingLifetime() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new ProxyMetrics(registry).watch(proxies.get(1).proxy().pipeline());
    System.gc(); // function counters hold their object weakly: the count must survive a collection
    System.gc();

    TokenReply first = ask(0, "orders.read");
    proxies.get(1).clock.advance(Duration.ofSeconds(100));
    TokenReply other = ask(1, "orders.read");

    assertThat(other.cacheResult()).isEqualTo("hit");
    assertThat(other.accessToken()).isEqualTo(first.accessToken());
    assertThat(other.expiresIn()).isEqualTo(first.expiresIn() - 100);
    assertThat(issuer.takeRequests()).hasSize(1);
    assertThat(registry.get("tokencache.shared.tier").tag("result", "hit").functionCounter().count()).isEqualTo(1);
    assertThat(proxies.get(0).proxy().pipeline().sharedMisses()).isEqualTo(1);
  }

  @Test
  void threeFreshInstancesWithTheDefaultRedisTimeoutHandOutOneTokenForABurstOfFirstRequests() throws Exception {
    List<ProxyHarness> fresh = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) { // redis.timeout stays at its default, 250 ms
        fresh.add(ProxyHarness.start(issuer.tokenUrl(), Map.of("cache.backend", "redis", "redis.url", redis.url(),
            "cache.key-secret", KEY_SECRET)));
      }
      Set<String> tokens = Burst.tokens(fresh, 90, "cold.start", basic("orders-service", SECRET));

      assertThat(issuer.takeRequests()).as("upstream requests").hasSize(1);
      assertThat(tokens).as("distinct tokens handed out").hasSize(1);
      assertThat(fresh).allSatisfy(proxy -> assertThat(proxy.proxy().pipeline().sharedProblem()).isEmpty());
    } finally {
      for (ProxyHarness proxy : fresh) {
        proxy.close();
      }
    }
  }

  @Test
  void redisHoldsNoTokenClientIdScopeOrSecretAndExpiresWithTheToken() throws Exception {
    TokenReply reply = ask(0, "orders.read");
    List<String> keys = new ArrayList<>();
    for (Response key : await(raw.scan(List.of("0", "COUNT", "1000"))).get(1)) {
      keys.add(key.toString());
    }

    assertThat(keys).hasSize(1);
    String key = keys.get(0);
    byte[] value = await(raw.get(key)).toBuffer().getBytes();
    String asText = new String(value, StandardCharsets.ISO_8859_1);
    for (String forbidden : List.of(reply.accessToken(), reply.accessToken().substring(0, 20), "orders-service",
        "orders.read", SECRET, KEY_SECRET, "access_token")) {
      assertThat(key).doesNotContain(forbidden);
      assertThat(asText).doesNotContain(forbidden);
    }
    assertThat(key).startsWith("tokencache:v2:{").endsWith("}:t").hasSize("tokencache:v2:{}:t".length() + 64);
    long bytes = await(raw.memory(List.of("USAGE", key))).toLong();
    System.out.printf("redis entry: value %d bytes, key %d bytes, MEMORY USAGE %d bytes, token %d chars%n",
        value.length, key.length(), bytes, reply.accessToken().length());
    assertThat(bytes).isLessThan(value.length + key.length() + 256L);
    long pttl = await(raw.pttl(key)).toLong();
    long usable = (reply.expiresIn() - 5) * 1000; // kept until the stale margin, for other instances' fallback
    assertThat(pttl).isBetween(usable - 2_000, usable + 1_000);
  }

  @Test
  void wrongSecretNeverSeesATokenAnotherInstanceCached() throws Exception {
    TokenReply right = ask(0, "orders.read");
    TokenReply wrong = proxies.get(1).post("grant_type=client_credentials&scope=orders.read",
        "Authorization", basic("orders-service", SECRET + "x"));

    assertThat(wrong.accessToken()).isNotEqualTo(right.accessToken());
    assertThat(wrong.cacheResult()).isEqualTo("miss");
    assertThat(issuer.takeRequests()).hasSize(2);
  }

  @Test
  void redisDownDuringLoadFailsNoRequestAndIsUsedAgainWhenBack() throws Exception {
    BackgroundLoad load = BackgroundLoad.start(3, 3000, (instance, i) -> ask(instance, "scope-" + (i % 20)));
    int beforeOutage = load.awaitRequests(300); // load windows of a few hundred requests: before, during, after
    redis.stop();
    TokenReply newKeyWhileDown = ask(0, "while-down"); // a local miss: it must go to Redis, fail, and go upstream
    int duringOutage = load.awaitRequests(beforeOutage + 300);
    redis.start();
    load.awaitRequests(duringOutage + 300);
    load.stop();
    System.out.printf("redis outage: %d requests before, %d while down, %d after; %d failed; %d upstream requests%n",
        beforeOutage, duringOutage - beforeOutage, load.requests() - duringOutage, load.failures(),
        issuer.takeRequests().size());

    assertThat(load.failures()).as("failed token requests").isZero();
    assertThat(newKeyWhileDown.status()).isEqualTo(200);
    assertThat(proxies.get(0).proxy().pipeline().sharedFailures()).as("redis errors counted").isPositive();
    assertThat(load.requests()).isGreaterThan(duringOutage);
    // an instance may still be between two of its once-a-second probes: ask new keys until Redis is shared again
    // (bounded), rather than betting on one second
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int attempt = 0;
    TokenReply fresh;
    TokenReply elsewhere;
    do {
      String scope = "after-outage-" + attempt++;
      fresh = ask(2, scope);
      elsewhere = ask(0, scope);
    } while (!"hit".equals(elsewhere.cacheResult()) && System.nanoTime() < deadline);
    assertThat(fresh.status()).isEqualTo(200);
    assertThat(await(raw.keys("tokencache:v2:*:t")).size()).as("entries written after Redis came back").isPositive();
    assertThat(elsewhere.cacheResult()).isEqualTo("hit");
    assertThat(elsewhere.accessToken()).isEqualTo(fresh.accessToken());
  }
}
