package dev.tokencache.cache.redis;

import static dev.tokencache.support.Forms.basic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokencache.support.FakeUpstream;
import dev.tokencache.support.ProxyHarness;
import dev.tokencache.support.RedisServer;
import dev.tokencache.support.TokenReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three proxies on one real Redis in front of a failing upstream: a key's backoff and negative answer are shared,
 * so the fleet makes one upstream request per key per backoff step, not one per instance.
 */
class SharedBackoffTest {
  private static final String KEY_SECRET = "shared-key-secret-for-all-instances";

  private RedisServer redis;
  private FakeUpstream upstream;
  private final AtomicInteger failing = new AtomicInteger();
  private final List<ProxyHarness> proxies = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    redis = new RedisServer();
    upstream = new FakeUpstream();
    upstream.server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.equals(basic("svc", "wrong"))) {
          return FakeUpstream.json(401, "{\"error\":\"invalid_client\"}");
        }
        failing.incrementAndGet();
        return FakeUpstream.json(503, "{\"error\":\"temporarily_unavailable\"}");
      }
    });
    // Backoff steps of 30 s and more on the tests' clock: Redis expires a hold in real time, and the test runs
    // well inside 30 real seconds, so only the moved clock ends a step.
    for (int i = 0; i < 3; i++) {
      proxies.add(ProxyHarness.start(upstream.tokenUrl(), Map.of("cache.backend", "redis", "redis.url", redis.url(),
          "cache.key-secret", KEY_SECRET, "redis.timeout", "2s", "upstream.backoff", "30s",
          "upstream.backoff-max", "5m")));
    }
    proxies.forEach(proxy -> proxy.clock.setTo(proxies.get(0).clock.instant()));
  }

  @AfterEach
  void stop() throws Exception {
    for (ProxyHarness proxy : proxies) {
      proxy.close();
    }
    upstream.close();
    redis.close();
  }

  private List<TokenReply> burst(int requests, String secret) throws Exception {
    List<CompletableFuture<TokenReply>> replies = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      ProxyHarness proxy = proxies.get(i % 3);
      replies.add(proxy.sendAsync(proxy.form(null, "grant_type=client_credentials&scope=orders",
          "Authorization", basic("svc", secret)).build()));
    }
    List<TokenReply> answered = new ArrayList<>();
    for (CompletableFuture<TokenReply> reply : replies) {
      answered.add(reply.get(30, TimeUnit.SECONDS));
    }
    return answered;
  }

  private void advanceAll(Duration duration) {
    proxies.forEach(proxy -> proxy.clock.advance(duration));
  }

  @Test
  void threeInstancesMakeOneUpstreamRequestPerKeyPerBackoffStep() throws Exception {
    List<TokenReply> first = burst(30, "secret");
    assertThat(failing.get()).as("upstream requests in step 0").isEqualTo(1);
    assertThat(first).allSatisfy(reply -> {
      assertThat(reply.status()).isEqualTo(503);
      assertThat(reply.header("Retry-After")).isNotNull();
    });

    List<TokenReply> held = burst(30, "secret");
    assertThat(failing.get()).as("none while the key backs off, on any instance").isEqualTo(1);
    assertThat(held).extracting(TokenReply::cacheResult).containsOnly("negative");

    advanceAll(Duration.ofSeconds(45)); // past step 1 (30..45 s)
    burst(30, "secret");
    assertThat(failing.get()).as("one request for step 2, fleet-wide").isEqualTo(2);

    advanceAll(Duration.ofSeconds(59)); // step 2 lasts at least 60 s
    burst(30, "secret");
    assertThat(failing.get()).isEqualTo(2);
  }

  @Test
  void aNegativeAnswerIsSharedByTheFleet() throws Exception {
    List<TokenReply> replies = burst(60, "wrong");

    assertThat(upstream.requestCount()).isEqualTo(1);
    assertThat(replies).allSatisfy(reply -> assertThat(reply.status()).isEqualTo(401));
    assertThat(replies).extracting(TokenReply::cacheResult).contains("negative");
  }
}
