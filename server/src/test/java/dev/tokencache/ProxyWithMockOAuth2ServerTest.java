package dev.tokencache;

import static dev.tokencache.support.Forms.basic;
import static dev.tokencache.support.Forms.enc;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokencache.support.MockIssuer;
import dev.tokencache.support.ProxyHarness;
import dev.tokencache.support.TokenReply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy in front of NAV's mock-oauth2-server: the seed's testing guide and docs/token-endpoint.md, end to end. */
class ProxyWithMockOAuth2ServerTest {
  private MockIssuer issuer;
  private ProxyHarness proxy;

  @BeforeEach
  void start() throws Exception {
    issuer = new MockIssuer();
    proxy = ProxyHarness.start(issuer.tokenUrl());
  }

  @AfterEach
  void stop() throws Exception {
    proxy.close();
    issuer.close();
  }

  private TokenReply viaBasic(String scope) throws Exception {
    return proxy.post("grant_type=client_credentials&scope=" + enc(scope), "Authorization", basic("svc", "secret"));
  }

  @Test
  void basicHeaderMethodReturnsTokenThenHit() throws Exception {
    TokenReply first = viaBasic("orders.read");
    TokenReply second = viaBasic("orders.read");

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.cacheResult()).isEqualTo("miss");
    assertThat(first.accessToken()).isNotBlank();
    assertThat(second.cacheResult()).isEqualTo("hit");
    assertThat(second.accessToken()).isEqualTo(first.accessToken());
    assertThat(issuer.takeRequests()).hasSize(1);
  }

  @Test
  void bodyCredentialsMethodReturnsTokenThenHit() throws Exception {
    String body = "grant_type=client_credentials&client_id=svc&client_secret=secret&scope=orders.read";
    TokenReply first = proxy.post(body);
    TokenReply second = proxy.post(body);

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.cacheResult()).isEqualTo("miss");
    assertThat(second.cacheResult()).isEqualTo("hit");
    assertThat(second.accessToken()).isEqualTo(first.accessToken());
  }

  @Test
  void queryCredentialsMethodWithEncodedScopeReturnsTokenThenHit() throws Exception {
    String query = "client_id=svc&client_secret=secret&scope=" + enc("orders.read orders.write");
    TokenReply first = proxy.postWithQuery(query, "grant_type=client_credentials");
    TokenReply second = proxy.postWithQuery(query, "grant_type=client_credentials");

    assertThat(first.status()).isEqualTo(200);
    assertThat(second.cacheResult()).isEqualTo("hit");
    assertThat(second.accessToken()).isEqualTo(first.accessToken());
    assertThat(issuer.takeRequests().get(0).getBody().readUtf8()).contains("scope=orders.read+orders.write");
  }

  @Test
  void threeMethodsWithSameCredentialsShareOneEntry() throws Exception {
    TokenReply basicReply = viaBasic("orders.read");
    TokenReply bodyReply = proxy.post("grant_type=client_credentials&client_id=svc&client_secret=secret&scope=orders.read");
    TokenReply queryReply = proxy.postWithQuery("client_id=svc&client_secret=secret&scope=orders.read",
        "grant_type=client_credentials");

    assertThat(List.of(bodyReply.cacheResult(), queryReply.cacheResult())).containsOnly("hit");
    assertThat(bodyReply.accessToken()).isEqualTo(basicReply.accessToken());
    assertThat(queryReply.accessToken()).isEqualTo(basicReply.accessToken());
  }

  @Test
  void differentScopesGetDifferentTokensAndScopeOrderDoesNotMatter() throws Exception {
    TokenReply ab = viaBasic("a b");
    TokenReply ba = viaBasic("b a");
    TokenReply baDuplicated = viaBasic("b  a a");
    TokenReply a = viaBasic("a");

    assertThat(ba.cacheResult()).isEqualTo("hit");
    assertThat(ba.accessToken()).isEqualTo(ab.accessToken());
    assertThat(baDuplicated.accessToken()).isEqualTo(ab.accessToken());
    assertThat(a.cacheResult()).isEqualTo("miss");
    assertThat(a.accessToken()).isNotEqualTo(ab.accessToken());
  }

  @Test
  void otherParametersArePartOfTheKeyAndForwarded() throws Exception {
    TokenReply first = proxy.post("grant_type=client_credentials&scope=a&resource=" + enc("https://api.example/orders"),
        "Authorization", basic("svc", "secret"));
    TokenReply other = proxy.post("grant_type=client_credentials&scope=a&resource=" + enc("https://api.example/billing"),
        "Authorization", basic("svc", "secret"));

    assertThat(other.cacheResult()).isEqualTo("miss");
    assertThat(other.accessToken()).isNotEqualTo(first.accessToken());
    List<RecordedRequest> received = issuer.takeRequests();
    assertThat(received).hasSize(2);
    assertThat(received.get(0).getBody().readUtf8()).contains("resource=" + enc("https://api.example/orders"));
  }

  @Test
  void responsesCarryNoStoreHeaders() throws Exception {
    TokenReply miss = viaBasic("a");
    TokenReply hit = viaBasic("a");

    for (TokenReply reply : List.of(miss, hit)) {
      assertThat(reply.header("Cache-Control")).isEqualTo("no-store");
      assertThat(reply.header("Pragma")).isEqualTo("no-cache");
      assertThat(reply.header("Content-Type")).startsWith("application/json");
    }
    assertThat(hit.json().path("token_type").asText()).isEqualToIgnoringCase("Bearer");
  }

  @Test
  void hitReturnsRemainingLifetime() throws Exception {
    TokenReply first = viaBasic("a");
    proxy.clock.advance(Duration.ofSeconds(100));
    TokenReply later = viaBasic("a");

    assertThat(later.cacheResult()).isEqualTo("hit");
    assertThat(later.accessToken()).isEqualTo(first.accessToken());
    assertThat(later.expiresIn()).isEqualTo(first.expiresIn() - 100);
  }

  @Test
  void tokenWithinMinRemainingIsAMissAndANewTokenIsFetched() throws Exception {
    TokenReply first = viaBasic("a");
    proxy.clock.advance(Duration.ofSeconds(first.expiresIn() - 59));
    TokenReply late = viaBasic("a");

    assertThat(late.cacheResult()).isEqualTo("miss");
    assertThat(late.accessToken()).isNotEqualTo(first.accessToken());
    assertThat(issuer.takeRequests()).hasSize(2);
  }

  @Test
  void tokenJustOutsideMinRemainingIsStillAHit() throws Exception {
    TokenReply first = viaBasic("a");
    proxy.clock.advance(Duration.ofSeconds(first.expiresIn() - 61));
    TokenReply late = viaBasic("a");

    assertThat(late.cacheResult()).isEqualTo("hit");
    assertThat(late.expiresIn()).isBetween(60L, 61L);
  }

  @Test
  void refreshAheadMakesExactlyOneBackgroundUpstreamCall() throws Exception {
    TokenReply first = viaBasic("a");
    issuer.takeRequests();
    proxy.clock.advance(Duration.ofSeconds((long) (first.expiresIn() * 0.85)));

    List<CompletableFuture<TokenReply>> burst = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      burst.add(proxy.sendAsync(proxy.form(null, "grant_type=client_credentials&scope=a",
          "Authorization", basic("svc", "secret")).build()));
    }
    List<String> servedTokens = new ArrayList<>();
    for (CompletableFuture<TokenReply> reply : burst) {
      TokenReply served = reply.get(20, TimeUnit.SECONDS);
      assertThat(served.cacheResult()).isEqualTo("hit"); // nobody waits for the refresh
      servedTokens.add(served.accessToken());
    }
    RecordedRequest refresh = issuer.awaitRequest(); // throws when no refresh reached the issuer within 10 s
    assertThat(refresh.getBody().readUtf8()).contains("grant_type=client_credentials").contains("scope=a");
    TokenReply after = awaitTokenOtherThan(first.accessToken());

    assertThat(servedTokens).contains(first.accessToken()).isSubsetOf(first.accessToken(), after.accessToken());
    assertThat(after.cacheResult()).isEqualTo("hit");
    assertThat(issuer.takeRequests()).isEmpty();
  }

  /** The refreshed entry lands when the background fetch completes; ask until it is there (bounded). */
  private TokenReply awaitTokenOtherThan(String token) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    TokenReply reply;
    do {
      reply = viaBasic("a");
    } while (reply.accessToken().equals(token) && System.nanoTime() < deadline);
    assertThat(reply.accessToken()).isNotEqualTo(token);
    return reply;
  }

  @Test
  void forcedRefreshReplacesEntryOnceWithinInterval() throws Exception {
    TokenReply first = viaBasic("a");
    proxy.clock.advance(Duration.ofSeconds(11));
    TokenReply forced = proxy.post("grant_type=client_credentials&scope=a",
        "Authorization", basic("svc", "secret"), "Cache-Control", "no-cache");
    TokenReply forcedAgain = proxy.post("grant_type=client_credentials&scope=a",
        "Authorization", basic("svc", "secret"), "Cache-Control", "max-age=0");
    TokenReply plain = viaBasic("a");

    assertThat(forced.cacheResult()).isEqualTo("miss");
    assertThat(forced.accessToken()).isNotEqualTo(first.accessToken());
    assertThat(forcedAgain.cacheResult()).isEqualTo("hit");
    assertThat(forcedAgain.accessToken()).isEqualTo(forced.accessToken());
    assertThat(plain.accessToken()).isEqualTo(forced.accessToken());
    assertThat(issuer.takeRequests()).hasSize(2);
  }

  @Test
  void forcedRefreshRightAfterAFetchRefreshesOnceThenServesTheNewToken() throws Exception {
    TokenReply first = viaBasic("a");
    TokenReply forced = proxy.post("grant_type=client_credentials&scope=a",
        "Authorization", basic("svc", "secret"), "Cache-Control", "no-cache");
    TokenReply again = proxy.post("grant_type=client_credentials&scope=a",
        "Authorization", basic("svc", "secret"), "Cache-Control", "no-cache");

    assertThat(forced.cacheResult()).isEqualTo("miss");
    assertThat(forced.accessToken()).isNotEqualTo(first.accessToken());
    assertThat(again.cacheResult()).isEqualTo("hit");
    assertThat(again.accessToken()).isEqualTo(forced.accessToken());
    assertThat(issuer.takeRequests()).hasSize(2);
  }

  @Test
  void basicHeaderBuiltByProxyFormEncodesIdAndSecret() throws Exception {
    String secret = "s3+cr%t:x y";
    proxy.post("grant_type=client_credentials&client_id=" + enc("svc:1") + "&client_secret=" + enc(secret));

    RecordedRequest received = issuer.takeRequests().get(0);
    String header = received.getHeader("Authorization");
    String decoded = new String(Base64.getDecoder().decode(header.substring("Basic ".length())), StandardCharsets.UTF_8);
    assertThat(decoded).isEqualTo("svc%3A1:s3%2Bcr%25t%3Ax+y");
    assertThat(received.getBody().readUtf8()).doesNotContain("client_secret");
  }

  @Test
  void clientBasicHeaderIsForwardedAsItCame() throws Exception {
    String header = "Basic " + Base64.getEncoder().encodeToString("svc:pa ss".getBytes(StandardCharsets.UTF_8));
    proxy.post("grant_type=client_credentials", "Authorization", header);

    assertThat(issuer.takeRequests().get(0).getHeader("Authorization")).isEqualTo(header);
  }

  @Test
  void otherGrantTypesPassThroughUncached() throws Exception {
    TokenReply first = proxy.post("grant_type=" + enc("urn:ietf:params:oauth:grant-type:jwt-bearer")
        + "&assertion=" + issuer.server.issueToken().serialize() + "&scope=a", "Authorization", basic("svc", "secret"));
    TokenReply second = proxy.post("grant_type=" + enc("urn:ietf:params:oauth:grant-type:jwt-bearer")
        + "&assertion=" + issuer.server.issueToken().serialize() + "&scope=a", "Authorization", basic("svc", "secret"));

    assertThat(first.cacheResult()).isEqualTo("bypass");
    assertThat(second.cacheResult()).isEqualTo("bypass");
    assertThat(issuer.takeRequests()).hasSize(2);
  }

  @Test
  void otherGrantTypesAreRejectedWhenConfigured() throws Exception {
    try (ProxyHarness strict = ProxyHarness.start(issuer.tokenUrl(), Map.of("proxy.other-grants", "reject"))) {
      TokenReply reply = strict.post("grant_type=refresh_token&refresh_token=x", "Authorization", basic("svc", "secret"));

      assertThat(reply.status()).isEqualTo(400);
      assertThat(reply.error()).isEqualTo("unsupported_grant_type");
      assertThat(issuer.takeRequests()).isEmpty();
    }
  }

  @Test
  void postClientAuthSendsCredentialsInBody() throws Exception {
    try (ProxyHarness post = ProxyHarness.start(issuer.tokenUrl(), Map.of("upstream.client-auth", "post"))) {
      TokenReply reply = post.post("grant_type=client_credentials&scope=a", "Authorization", basic("svc", "s+cret"));

      assertThat(reply.status()).isEqualTo(200);
      RecordedRequest received = issuer.takeRequests().get(0);
      assertThat(received.getHeader("Authorization")).isNull();
      assertThat(received.getBody().readUtf8()).contains("client_id=svc", "client_secret=s%2Bcret");
    }
  }
}
