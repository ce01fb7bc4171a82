package dev.tokencache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokencache.support.MockIssuer;
import dev.tokencache.support.ProxyHarness;
import dev.tokencache.support.TokenReply;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Three hundred requests built from random pieces of forms, headers and encodings (fixed seed, so a failure
 * repeats): none gets a 500, every answer is JSON, and none echoes a secret that was sent.
 */
class RandomInputTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "Rnd-Secret-7731";
  private static final List<String> NAMES = List.of("grant_type", "scope", "client_id", "client_secret", "resource",
      "audience", "", "%", "a%2", "grant_type%00", "x".repeat(300));
  private static final List<String> VALUES = List.of("client_credentials", "refresh_token", "a b", "a+b", "%20",
      "%zz", "%", "", "é", "%C3%A9", "\u0000", SECRET, "svc", "=", "&", "x".repeat(3000));
  private static final List<String> TYPES = List.of("application/x-www-form-urlencoded",
      "application/x-www-form-urlencoded; charset=UTF-8", "APPLICATION/X-WWW-FORM-URLENCODED", "text/plain",
      "application/json", "multipart/form-data; boundary=x", ";;;");
  private static final List<String> AUTHORIZATIONS = List.of("Basic " + b64("svc:" + SECRET), "Basic " + b64(SECRET),
      "Basic " + b64(":" + SECRET), "Basic !!" + SECRET, "Bearer " + SECRET, "Basic", "basic " + b64("svc:%zz" + SECRET),
      "Basic " + b64("svc:" + SECRET) + " extra");

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void randomRequestsNeverGetA500AndNeverSeeASecretEchoed() throws Exception {
    Random random = new Random(20261124);
    try (MockIssuer issuer = new MockIssuer();
        ProxyHarness proxy = ProxyHarness.start(issuer.tokenUrl(), Map.of("server.max-body", "4KiB"))) {
      for (int i = 0; i < 300; i++) {
        HttpRequest request = randomRequest(random, proxy);
        TokenReply reply = proxy.send(request);

        assertThat(reply.status()).as("request %d: %s", i, request).isNotEqualTo(500).isBetween(200, 499);
        assertThat(JSON.readTree(reply.body()).isObject()).as("request %d answers JSON", i).isTrue();
        if (reply.status() >= 400) {
          assertThat(reply.body()).as("request %d", i).doesNotContain(SECRET);
        }
      }
    }
  }

  private static HttpRequest randomRequest(Random random, ProxyHarness proxy) {
    StringBuilder body = new StringBuilder();
    for (int p = random.nextInt(5); p > 0; p--) {
      body.append(pick(random, NAMES)).append(random.nextInt(4) == 0 ? "" : "=").append(pick(random, VALUES)).append('&');
    }
    if (random.nextBoolean()) {
      body.append("grant_type=client_credentials");
    }
    // the URI must stay valid for the client, so query pieces are encoded; broken escapes go in the body
    String query = random.nextInt(3) == 0
        ? "?" + URLEncoder.encode(pick(random, NAMES), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(pick(random, VALUES), StandardCharsets.UTF_8)
        : "";
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(proxy.tokenUri() + query))
        .timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    if (random.nextInt(5) > 0) {
      builder.header("Content-Type", pick(random, TYPES));
    }
    if (random.nextInt(3) > 0) {
      builder.header("Authorization", pick(random, AUTHORIZATIONS));
    }
    if (random.nextInt(4) == 0) {
      builder.header("Cache-Control", random.nextBoolean() ? "no-cache" : "max-age=0, no-store");
    }
    return builder.build();
  }

  private static String pick(Random random, List<String> options) {
    return options.get(random.nextInt(options.size()));
  }
}
