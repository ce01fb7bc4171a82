package dev.tokencache.cache.redis;

import static dev.tokencache.support.Forms.basic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokencache.support.BackgroundLoad;
import dev.tokencache.support.Burst;
import dev.tokencache.support.MockIssuer;
import dev.tokencache.support.ProxyHarness;
import dev.tokencache.support.RedisCluster;
import dev.tokencache.support.TokenReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;

/**
 * Three proxies on a real Redis Cluster (three masters, three replicas), in front of mock-oauth2-server: single
 * flight across instances, nothing readable at rest, and a master that dies under load.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the failover, which changes the cluster, runs last
class RedisClusterTest {
  private static final String SECRET = "Cl-uster-client-secret-7";
  private static final String KEY_SECRET = "shared-key-secret-for-the-cluster";

  private static RedisCluster cluster;
  private MockIssuer issuer;
  private final List<ProxyHarness> proxies = new ArrayList<>();

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = new RedisCluster();
  }

  @AfterAll
  static void stopCluster() throws Exception {
    cluster.close();
  }

  @BeforeEach
  void start() throws Exception {
    issuer = new MockIssuer();
    for (int i = 0; i < 3; i++) {
      proxies.add(ProxyHarness.start(issuer.tokenUrl(), Map.of("cache.backend", "redis", "redis.type", "cluster",
          "redis.url", cluster.url(), "cache.key-secret", KEY_SECRET, "redis.timeout", "1s")));
    }
    proxies.forEach(proxy -> proxy.clock.setTo(proxies.get(0).clock.instant()));
  }

  @AfterEach
  void stop() throws Exception {
    for (ProxyHarness proxy : proxies) {
      proxy.close();
    }
    issuer.close();
  }

  private TokenReply ask(int instance, String scope) throws Exception {
    return proxies.get(instance).post("grant_type=client_credentials&scope=" + scope,
        "Authorization", basic("cluster-client", SECRET));
  }

  @Test
  void threeHundredConcurrentRequestsAcrossThreeInstancesMakeOneUpstreamRequest() throws Exception {
    Set<String> tokens = Burst.tokens(proxies, 300, "single.flight", basic("cluster-client", SECRET));

    assertThat(issuer.takeRequests()).as("upstream requests").hasSize(1);
    assertThat(tokens).as("distinct tokens").hasSize(1);
  }

  @Test
  void theClusterHoldsNoTokenClientIdScopeOrSecret() throws Exception {
    TokenReply reply = ask(0, "at.rest");
    assertThat(ask(1, "at.rest").cacheResult()).as("shared through the cluster").isEqualTo("hit");

    StringBuilder everything = new StringBuilder();
    int keys = 0;
    for (int master : cluster.masters()) {
      for (String key : cluster.cli(master, "--scan", "--pattern", "tokencache:*").split("\n")) {
        if (!key.isBlank()) {
          keys++;
          everything.append(key).append('\n').append(cluster.cli(master, "--raw", "GET", key.trim()));
        }
      }
    }

    assertThat(keys).isPositive();
    assertThat(everything.toString()).doesNotContain(reply.accessToken(), reply.accessToken().substring(0, 20),
        "cluster-client", "at.rest", SECRET, KEY_SECRET, "access_token");
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void aMasterDyingUnderLoadFailsNoRequestAndTheClusterIsUsedAgainAfterTheFailover() throws Exception {
    BackgroundLoad load = BackgroundLoad.start(3, 5000, (instance, i) -> ask(instance, "scope-" + (i % 20)));
    load.awaitRequests(300); // load before the failure
    int victim = cluster.masters().get(0);
    cluster.stop(victim);
    cluster.awaitFailover(victim); // a replica has taken over the dead master's slots
    load.awaitRequests(load.requests() + 300); // load after the failover
    load.stop();
    System.out.printf("redis cluster failover: %d requests, %d failed, %d upstream requests%n",
        load.requests(), load.failures(), issuer.takeRequests().size());

    assertThat(load.failures()).as("failed token requests").isZero();
    assertThat(cluster.masters()).doesNotContain(victim).hasSize(3);
    // after the failover, a token one instance fetches is found by another (bounded wait for slot maps to refresh)
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    int attempt = 0;
    TokenReply elsewhere;
    do {
      String scope = "after-failover-" + attempt++;
      ask(2, scope);
      elsewhere = ask(0, scope);
    } while (!"hit".equals(elsewhere.cacheResult()) && System.nanoTime() < deadline);
    assertThat(elsewhere.cacheResult()).isEqualTo("hit");
  }
}
