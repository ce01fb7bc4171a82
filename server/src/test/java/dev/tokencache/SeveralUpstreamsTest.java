package dev.tokencache;

import static dev.tokencache.support.Forms.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokencache.observability.ProxyMetrics;
import dev.tokencache.support.MockIssuer;
import dev.tokencache.support.ProxyHarness;
import dev.tokencache.support.TokenReply;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One proxy in front of two real authorization servers (two mock-oauth2-server issuers), each on its own path. */
class SeveralUpstreamsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private MockIssuer orders;
  private MockIssuer billing;
  private ProxyHarness proxy;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ProxyMetrics metrics = new ProxyMetrics(registry);

  @BeforeEach
  void start() throws Exception {
    orders = new MockIssuer();
    billing = new MockIssuer();
    proxy = ProxyHarness.named(Map.of(
        "upstreams.orders.token-url", orders.tokenUrl(),
        "upstreams.billing.token-url", billing.tokenUrl(),
        "upstreams.billing.timeout", "1s"), metrics, metrics);
    proxy.proxy().pipelines().forEach((name, pipeline) -> metrics.watch(name, pipeline, 2.25, 100));
  }

  @AfterEach
  void stop() throws Exception {
    proxy.close();
    orders.close();
    billing.close();
  }

  private TokenReply ask(String route) throws Exception {
    return proxy.send(proxy.form(null, "grant_type=client_credentials&scope=api", "Authorization", basic("svc", "pw"))
        .uri(proxy.uri("/" + route + "/oauth2/token")).build());
  }

  private static String issuer(TokenReply reply) throws Exception {
    String payload = reply.accessToken().split("\\.")[1];
    return JSON.readTree(Base64.getUrlDecoder().decode(payload)).get("iss").asText();
  }

  private static double value(String scrape, String series) {
    return dev.tokencache.support.Scrape.value(scrape, series, -1);
  }

  @Test
  void eachRouteGetsTokensFromItsOwnIssuerAndTheSameCredentialsMakeTwoEntries() throws Exception {
    TokenReply fromOrders = ask("orders");
    TokenReply fromBilling = ask("billing");
    TokenReply ordersAgain = ask("orders");
    TokenReply billingAgain = ask("billing");

    assertThat(issuer(fromOrders)).isEqualTo(orders.server.issuerUrl("default").toString());
    assertThat(issuer(fromBilling)).isEqualTo(billing.server.issuerUrl("default").toString());
    assertThat(fromOrders.accessToken()).isNotEqualTo(fromBilling.accessToken());
    assertThat(ordersAgain.cacheResult()).isEqualTo("hit");
    assertThat(ordersAgain.accessToken()).isEqualTo(fromOrders.accessToken());
    assertThat(billingAgain.accessToken()).isEqualTo(fromBilling.accessToken());
    assertThat(proxy.proxy().pipeline().entries()).isEqualTo(2);
    assertThat(orders.takeRequests()).hasSize(1);
    assertThat(billing.takeRequests()).hasSize(1);

    String scrape = registry.scrape();
    assertThat(value(scrape, "tokencache_requests_total{result=\"miss\",upstream=\"orders\"}")).isEqualTo(1);
    assertThat(value(scrape, "tokencache_requests_total{result=\"hit\",upstream=\"billing\"}")).isEqualTo(1);
    assertThat(value(scrape, "tokencache_upstream_requests_total{status=\"200\",upstream=\"billing\"}")).isEqualTo(1);
    assertThat(value(scrape, "tokencache_upstream_cost_avoided_total{upstream=\"orders\"}")).isEqualTo(0.00225);
    assertThat(value(scrape, "tokencache_upstream_quota_used_ratio{upstream=\"orders\"}")).isGreaterThan(0);
  }

  @Test
  void oneUpstreamDownLeavesTheOtherAtFullSuccess() throws Exception {
    ask("orders");
    billing.close();

    List<Integer> ordersStatuses = new ArrayList<>();
    List<Integer> billingStatuses = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ordersStatuses.add(ask("orders").status());
      ordersStatuses.add(proxy.send(proxy.form(null, "grant_type=client_credentials&scope=s" + i,
          "Authorization", basic("svc", "pw")).uri(proxy.uri("/orders/oauth2/token")).build()).status());
      billingStatuses.add(ask("billing").status());
    }

    assertThat(ordersStatuses).containsOnly(200);
    assertThat(billingStatuses).containsOnly(502);
    assertThat(proxy.proxy().pipelines().get("orders").upstreamProblem()).isEmpty();
    assertThat(proxy.proxy().pipelines().get("billing").upstreamProblem()).isPresent();
  }

  @Test
  void anUnknownRouteIsA404ThatListsTheServedPaths() throws Exception {
    TokenReply reply = proxy.post("grant_type=client_credentials", "Authorization", basic("svc", "pw"));

    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.json().get("error_description").asText())
        .startsWith("no such endpoint; tokens are at ").contains("/orders/oauth2/token", "/billing/oauth2/token");
  }
}
