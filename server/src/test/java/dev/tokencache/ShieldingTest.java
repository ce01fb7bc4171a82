package dev.tokencache;

import static dev.tokencache.support.Forms.basic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokencache.http.RequestObserver;
import dev.tokencache.peers.sas.SpringAuthorizationServer;
import dev.tokencache.support.FakeUpstream;
import dev.tokencache.support.MockIssuer;
import dev.tokencache.support.ProxyHarness;
import dev.tokencache.support.TokenReply;
import dev.tokencache.upstream.UpstreamFailure;
import dev.tokencache.upstream.UpstreamListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;

/**
 * The proxy shields a failing, throttling or misused authorization server, end to end: real HTTP in front, real
 * or scripted servers behind, a clock the test moves. Each test counts what reached the upstream.
 */
class ShieldingTest {

  /** An upstream whose answers the test switches: tokens, or a throttling 429 with Retry-After. */
  private static final class SwitchableUpstream extends Dispatcher {
    final AtomicReference<MockResponse> failure = new AtomicReference<>();
    final AtomicInteger tokens = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      MockResponse failing = failure.get();
      if (failing != null) {
        failed.incrementAndGet();
        return failing;
      }
      return FakeUpstream.token("tok-" + tokens.incrementAndGet(), 3600);
    }
  }

  private static TokenReply ask(ProxyHarness proxy, String client, String... headers) throws Exception {
    String[] all = new String[headers.length + 2];
    all[0] = "Authorization";
    all[1] = basic(client, "secret");
    System.arraycopy(headers, 0, all, 2, headers.length);
    return proxy.post("grant_type=client_credentials&scope=api", all);
  }

  @Test
  void aThrottlingUpstreamGetsNoRequestWhileItsRetryAfterHoldsWarmClientsKeepTheirTokens() throws Exception {
    SwitchableUpstream script = new SwitchableUpstream();
    try (FakeUpstream upstream = new FakeUpstream();
        ProxyHarness proxy = ProxyHarness.start(upstream.tokenUrl())) {
      upstream.server.setDispatcher(script);
      for (int i = 0; i < 10; i++) {
        assertThat(ask(proxy, "warm-" + i).status()).isEqualTo(200);
      }
      script.failure.set(FakeUpstream.json(429, "{\"error\":\"slow_down\"}").setHeader("Retry-After", "30"));

      List<TokenReply> warm = new ArrayList<>();
      List<TokenReply> forced = new ArrayList<>();
      List<TokenReply> newcomers = new ArrayList<>();
      for (int second = 0; second < 30; second++) { // 30 s of the clock, one round a second
        for (int i = 0; i < 10; i++) {
          warm.add(ask(proxy, "warm-" + i));
        }
        forced.add(ask(proxy, "warm-0", "Cache-Control", "no-cache"));
        newcomers.add(ask(proxy, "new-" + second));
        proxy.clock.advance(Duration.ofSeconds(1));
      }

      assertThat(script.failed.get()).as("upstream requests while Retry-After: 30 holds").isEqualTo(1);
      assertThat(warm).allSatisfy(reply -> assertThat(reply.status()).isEqualTo(200));
      assertThat(forced).allSatisfy(reply -> assertThat(reply.status()).isEqualTo(200));
      assertThat(newcomers).allSatisfy(reply -> {
        assertThat(reply.status()).isEqualTo(429);
        assertThat(reply.header("Retry-After")).isNotNull();
      });
      assertThat(newcomers.subList(1, 30)).extracting(TokenReply::cacheResult).containsOnly("negative");

      script.failure.set(null); // Retry-After has passed on the clock and the upstream is healthy again
      TokenReply after = ask(proxy, "new-after");
      assertThat(after.status()).isEqualTo(200);
      assertThat(after.cacheResult()).isEqualTo("miss");
    }
  }

  @Test
  void whileTheUpstreamIsDownATokenInsideMinRemainingIsServedUntilItsSafetyMargin() throws Exception {
    MockIssuer issuer = new MockIssuer();
    try (ProxyHarness proxy = ProxyHarness.start(issuer.tokenUrl())) {
      TokenReply first = ask(proxy, "svc");
      long lifetime = first.expiresIn();
      issuer.close(); // the authorization server goes away

      proxy.clock.advance(Duration.ofSeconds(lifetime - 30)); // inside cache.min-remaining (60 s)
      List<TokenReply> during = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        during.add(ask(proxy, "svc"));
      }
      proxy.clock.advance(Duration.ofSeconds(24)); // 6 s left: one second before the 5 s safety margin
      TokenReply lastServed = ask(proxy, "svc");
      proxy.clock.advance(Duration.ofSeconds(1)); // 5 s left: at the margin
      TokenReply refused = ask(proxy, "svc");

      assertThat(during).allSatisfy(reply -> {
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.accessToken()).isEqualTo(first.accessToken());
        assertThat(reply.cacheResult()).isEqualTo("stale");
        assertThat(reply.expiresIn()).isEqualTo(30);
      });
      assertThat(lastServed.cacheResult()).isEqualTo("stale");
      assertThat(lastServed.expiresIn()).isEqualTo(6);
      assertThat(refused.status()).isEqualTo(502);
      assertThat(refused.error()).isEqualTo("temporarily_unavailable");
      assertThat(refused.header("Retry-After")).isNotNull();
      assertThat(refused.body()).doesNotContain("Exception");
    }
  }

  @Test
  void aFloodOfRandomWrongSecretsForOneClientCostsAtMostItsBudgetAndAnotherClientIsServed() throws Exception {
    AtomicInteger wrongSecrets = new AtomicInteger();
    try (FakeUpstream upstream = new FakeUpstream();
        ProxyHarness proxy = ProxyHarness.start(upstream.tokenUrl())) {
      upstream.server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          if (basic("victim", "secret").equals(request.getHeader("Authorization"))) {
            return FakeUpstream.token("victim-token", 3600);
          }
          wrongSecrets.incrementAndGet();
          return FakeUpstream.json(401, "{\"error\":\"invalid_client\"}");
        }
      });
      java.util.Random random = new java.util.Random(42);
      List<Integer> statuses = new ArrayList<>();
      List<Integer> victim = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        String secret = Long.toHexString(random.nextLong());
        statuses.add(proxy.post("grant_type=client_credentials&scope=api", "Authorization", basic("attacked", secret))
            .status());
        if (i % 100 == 0) {
          victim.add(ask(proxy, "victim").status());
        }
      }

      // the clock does not move: the budget is its burst, 50 (5 per second for ten seconds)
      assertThat(wrongSecrets.get()).as("upstream requests for 2,000 random secrets").isEqualTo(50);
      assertThat(statuses.subList(0, 50)).containsOnly(401);
      assertThat(statuses.subList(50, 2000)).containsOnly(429);
      assertThat(victim).containsOnly(200);
    }
  }

  @Test
  void aClientMintingKeysThroughAnIgnoredParameterNeverEvictsAnotherClient() throws Exception {
    AtomicInteger minted = new AtomicInteger();
    try (FakeUpstream upstream = new FakeUpstream();
        ProxyHarness proxy = ProxyHarness.start(upstream.tokenUrl(), Map.of("cache.max-entries", "1000",
            "upstream.max-rate-per-client", "0"))) { // budgets off: only the per-client bound is at work
      upstream.server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          return FakeUpstream.token("tok-" + minted.incrementAndGet(), 3600);
        }
      });
      TokenReply quiet = ask(proxy, "quiet");
      List<java.util.concurrent.CompletableFuture<TokenReply>> replies = new ArrayList<>();
      for (int i = 0; i < 5000; i++) {
        replies.add(proxy.sendAsync(proxy.form(null, "grant_type=client_credentials&scope=api&x=" + i,
            "Authorization", basic("greedy", "secret")).build()));
        if (replies.size() == 64) {
          for (java.util.concurrent.CompletableFuture<TokenReply> reply : replies) {
            assertThat(reply.get(30, java.util.concurrent.TimeUnit.SECONDS).status()).isEqualTo(200);
          }
          replies.clear();
        }
      }
      for (java.util.concurrent.CompletableFuture<TokenReply> reply : replies) {
        reply.get(30, java.util.concurrent.TimeUnit.SECONDS);
      }
      TokenReply again = ask(proxy, "quiet");

      assertThat(again.cacheResult()).isEqualTo("hit");
      assertThat(again.accessToken()).isEqualTo(quiet.accessToken());
      assertThat(proxy.proxy().pipeline().entries()).isLessThanOrEqualTo(101);
      assertThat(proxy.proxy().pipeline().evictions(dev.tokencache.cache.TokenStore.Eviction.PER_CLIENT))
          .isEqualTo(4900);
    }
  }

  @Test
  void aBurstOfFiveHundredColdKeysAgainstASlowButHealthyUpstreamAllSucceed() throws Exception {
    try (FakeUpstream upstream = new FakeUpstream();
        ProxyHarness proxy = ProxyHarness.start(upstream.tokenUrl())) {
      upstream.server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          return FakeUpstream.token("tok", 3600).setHeadersDelay(3, java.util.concurrent.TimeUnit.SECONDS);
        }
      });
      List<java.util.concurrent.CompletableFuture<TokenReply>> replies = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        replies.add(proxy.sendAsync(proxy.form(null, "grant_type=client_credentials",
            "Authorization", basic("cold-" + i, "secret")).build()));
      }
      List<Integer> statuses = new ArrayList<>();
      for (java.util.concurrent.CompletableFuture<TokenReply> reply : replies) {
        statuses.add(reply.get(60, java.util.concurrent.TimeUnit.SECONDS).status());
      }

      assertThat(statuses).hasSize(500).containsOnly(200);
      assertThat(upstream.requestCount()).isEqualTo(500);
    }
  }

  @Test
  void aThousandRequestsWithOneWrongSecretCostOneUpstreamRequestAndTheRightSecretStillWorks() throws Exception {
    SpringAuthorizationServer authorizationServer = SpringAuthorizationServer.start();
    AtomicInteger upstreamRequests = new AtomicInteger();
    UpstreamListener counting = new UpstreamListener() {
      @Override
      public void answered(int status, long elapsedNanos) {
        upstreamRequests.incrementAndGet();
      }

      @Override
      public void failed(UpstreamFailure.Kind kind, long elapsedNanos) {
        upstreamRequests.incrementAndGet();
      }
    };
    try (ProxyHarness proxy = ProxyHarness.observed(authorizationServer.tokenUrl(), Map.of(), RequestObserver.NONE,
        counting)) {
      String wrong = basic(SpringAuthorizationServer.CLIENT_ID, "not-the-secret");
      List<Integer> statuses = new ArrayList<>();
      List<String> results = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        TokenReply reply = proxy.post("grant_type=client_credentials&scope=orders.read", "Authorization", wrong);
        statuses.add(reply.status());
        results.add(reply.cacheResult());
      }
      TokenReply right = proxy.post("grant_type=client_credentials&scope=orders.read",
          "Authorization", basic(SpringAuthorizationServer.CLIENT_ID, SpringAuthorizationServer.CLIENT_SECRET));

      assertThat(upstreamRequests.get() - 1).as("upstream requests for 1,000 wrong-secret requests").isEqualTo(1);
      assertThat(statuses).containsOnly(401);
      assertThat(results.subList(1, 1000)).containsOnly("negative");
      assertThat(right.status()).isEqualTo(200);
      assertThat(right.cacheResult()).isEqualTo("miss");
    } finally {
      authorizationServer.stop();
    }
  }
}
