package dev.tokencache;

import static dev.tokencache.support.Forms.basic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokencache.support.FakeUpstream;
import dev.tokencache.support.ProxyHarness;
import dev.tokencache.support.TokenReply;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy in front of an upstream that misbehaves on cue: errors, slowness, absence. */
class UpstreamFaultsTest {
  private FakeUpstream upstream;
  private ProxyHarness proxy;

  @BeforeEach
  void start() throws Exception {
    upstream = new FakeUpstream();
    proxy = ProxyHarness.start(upstream.tokenUrl(), Map.of("upstream.timeout", "2500ms", "upstream.connect-timeout", "500ms"));
  }

  @AfterEach
  void stop() throws Exception {
    proxy.close();
    upstream.close();
  }

  private TokenReply request() throws Exception {
    return proxy.post("grant_type=client_credentials&scope=a", "Authorization", basic("svc", "secret"));
  }

  @Test
  void hundredConcurrentIdenticalMissesMakeOneUpstreamRequest() throws Exception {
    MockOAuth2Server issuer = new MockOAuth2Server();
    String jwt = issuer.issueToken("default", "svc", "api").serialize();
    upstream.enqueue(FakeUpstream.token(jwt, 3599).setHeadersDelay(500, TimeUnit.MILLISECONDS));

    List<CompletableFuture<TokenReply>> replies = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      replies.add(proxy.sendAsync(proxy.form(null, "grant_type=client_credentials&scope=a",
          "Authorization", basic("svc", "secret")).build()));
    }
    List<String> results = new ArrayList<>();
    for (CompletableFuture<TokenReply> reply : replies) {
      TokenReply served = reply.get(30, TimeUnit.SECONDS);
      assertThat(served.status()).isEqualTo(200);
      assertThat(served.accessToken()).isEqualTo(jwt);
      results.add(served.cacheResult());
    }

    assertThat(upstream.requestCount()).isEqualTo(1);
    assertThat(results).containsOnlyOnce("miss").contains("coalesced").doesNotContain("bypass");
  }

  @Test
  void coalescedRequestsShareAnUpstreamCredentialErrorWhichIsReplayedOnlyForTheNegativeTtl() throws Exception {
    upstream.enqueue(FakeUpstream.json(400, "{\"error\":\"invalid_scope\"}").setHeadersDelay(300, TimeUnit.MILLISECONDS));
    upstream.enqueue(FakeUpstream.token("t-2", 3600));

    List<CompletableFuture<TokenReply>> replies = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      replies.add(proxy.sendAsync(proxy.form(null, "grant_type=client_credentials&scope=a",
          "Authorization", basic("svc", "secret")).build()));
    }
    for (CompletableFuture<TokenReply> reply : replies) {
      TokenReply served = reply.get(30, TimeUnit.SECONDS);
      assertThat(served.status()).isEqualTo(400);
      assertThat(served.error()).isEqualTo("invalid_scope");
    }
    TokenReply replayed = request();
    proxy.clock.advance(Duration.ofSeconds(10));
    TokenReply next = request();

    assertThat(replayed.cacheResult()).isEqualTo("negative");
    assertThat(replayed.error()).isEqualTo("invalid_scope");
    assertThat(next.accessToken()).isEqualTo("t-2");
    assertThat(upstream.requestCount()).isEqualTo(2);
  }

  @Test
  void upstreamErrorsPassThroughWithTheirStatusAndAreNotCached() throws Exception {
    List<MockResponse> answers = List.of(
        FakeUpstream.json(400, "{\"error\":\"invalid_scope\"}"),
        FakeUpstream.json(401, "{\"error\":\"invalid_client\"}").setHeader("WWW-Authenticate", "Basic realm=\"as\""),
        FakeUpstream.json(500, "{\"error\":\"server_error\"}"),
        new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/html").setBody("<html>oops</html>"),
        FakeUpstream.json(200, "{\"access_token\":\"opaque\",\"token_type\":\"Bearer\"}"),
        FakeUpstream.json(200, "{\"access_token\":\"opaque\",\"expires_in\":0}"),
        FakeUpstream.json(200, "[1,2]"));
    answers.forEach(upstream::enqueue);
    List<TokenReply> replies = new ArrayList<>();
    for (int i = 0; i < answers.size(); i++) {
      replies.add(request());
      proxy.clock.advance(Duration.ofSeconds(61)); // past the negative TTL and the backoff step each error starts
    }
    upstream.enqueue(FakeUpstream.token("good", 3600));
    TokenReply good = request();

    assertThat(replies).extracting(TokenReply::status).containsExactly(400, 401, 500, 200, 200, 200, 200);
    assertThat(replies.get(0).error()).isEqualTo("invalid_scope");
    assertThat(replies.get(1).header("WWW-Authenticate")).isEqualTo("Basic realm=\"as\"");
    assertThat(replies.get(3).body()).isEqualTo("<html>oops</html>");
    assertThat(replies.get(3).header("Content-Type")).isEqualTo("text/html");
    assertThat(replies.get(4).body()).isEqualTo("{\"access_token\":\"opaque\",\"token_type\":\"Bearer\"}");
    assertThat(replies).extracting(TokenReply::cacheResult).containsOnly("miss");
    assertThat(replies).allSatisfy(reply -> assertThat(reply.header("Cache-Control")).isEqualTo("no-store"));
    assertThat(good.cacheResult()).isEqualTo("miss");
    assertThat(upstream.requestCount()).isEqualTo(answers.size() + 1);
  }

  @Test
  void expiresInAsStringIsAcceptedAndRewrittenAsNumber() throws Exception {
    upstream.enqueue(FakeUpstream.json(200, "{\"access_token\":\"t\",\"token_type\":\"Bearer\",\"expires_in\":\"3600\"}"));
    request();
    proxy.clock.advance(Duration.ofSeconds(10));
    TokenReply hit = request();

    assertThat(hit.cacheResult()).isEqualTo("hit");
    assertThat(hit.json().get("expires_in").isNumber()).isTrue();
    assertThat(hit.expiresIn()).isEqualTo(3590);
  }

  @Test
  void slowUpstreamGivesGatewayTimeoutWithinTheTimeout() throws Exception {
    upstream.enqueue(FakeUpstream.token("late", 3600).setHeadersDelay(5, TimeUnit.SECONDS));
    TokenReply reply = request();

    // a 504 rather than the upstream's 200 (due after 5 s) shows that upstream.timeout (2.5 s) ended the exchange
    assertThat(reply.status()).isEqualTo(504);
    assertThat(reply.error()).isEqualTo("temporarily_unavailable");
    assertThat(reply.json().get("error_description").asText()).matches("no answer from localhost:\\d+ within 2500 ms");
  }

  @Test
  void upstreamThatHangsUpGivesBadGateway() throws Exception {
    upstream.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.DISCONNECT_AT_START));
    TokenReply reply = request();

    assertThat(reply.status()).isEqualTo(502);
    assertThat(reply.error()).isEqualTo("temporarily_unavailable");
  }

  @Test
  void oversizedAnswersGiveBadGatewayWithOrWithoutContentLength() throws Exception {
    String huge = "{\"access_token\":\"" + "x".repeat(2 * 1024 * 1024) + "\",\"expires_in\":60}";
    upstream.enqueue(FakeUpstream.json(200, huge));
    upstream.enqueue(new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
        .setChunkedBody(huge, 64 * 1024));

    TokenReply declared = request();
    TokenReply chunked = request();

    assertThat(declared.status()).isEqualTo(502);
    assertThat(chunked.status()).isEqualTo(502);
    assertThat(chunked.error()).isEqualTo("temporarily_unavailable");
  }

  @Test
  void unreachableUpstreamGivesBadGatewayQuickly() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (ProxyHarness orphan = ProxyHarness.start("http://127.0.0.1:" + closedPort + "/oauth2/token",
        Map.of("upstream.timeout", "2s"))) {
      TokenReply reply = orphan.post("grant_type=client_credentials", "Authorization", basic("svc", "secret"));

      assertThat(reply.status()).isEqualTo(502);
      assertThat(reply.error()).isEqualTo("temporarily_unavailable");
      assertThat(reply.json().get("error_description").asText())
          .isEqualTo("connection refused by 127.0.0.1:" + closedPort);
      assertThat(reply.body()).doesNotContain("secret").doesNotContain("Exception");
    }
  }

  @Test
  void jwtExpiryEarlierThanExpiresInBoundsTheEntry() throws Exception {
    MockOAuth2Server issuer = new MockOAuth2Server();
    String jwt = issuer.issueToken("default", "svc", new no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback(
        "default", "svc", "JWT", List.of("api"), Map.of(), 600)).serialize();
    upstream.enqueue(FakeUpstream.token(jwt, 3600));
    TokenReply first = request();

    assertThat(first.expiresIn()).isBetween(590L, 600L);
  }
}
