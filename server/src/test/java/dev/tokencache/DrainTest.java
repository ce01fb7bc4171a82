package dev.tokencache;

import static dev.tokencache.support.Forms.basic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokencache.support.FakeUpstream;
import dev.tokencache.support.KeepAliveConnection;
import dev.tokencache.support.ProxyHarness;
import dev.tokencache.support.TokenReply;
import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;

/**
 * Stopping the proxy: first the drain (readiness down, the listener still answering, every answer closing its
 * connection), then the grace, at whose end a request still waiting for the authorization server gets 503 rather
 * than a cut connection.
 */
class DrainTest {
  private static final String PATH = "/oauth2/token";

  @Test
  void whileDrainingReadinessIsDownAndKeepAliveClientsAreAnsweredThenToldToReconnect() throws Exception {
    try (FakeUpstream upstream = new FakeUpstream()) {
      upstream.enqueue(FakeUpstream.token("drained-token", 3600));
      // a drain far longer than the test: everything below happens inside it
      ProxyHarness proxy = ProxyHarness.start(upstream.tokenUrl(), Map.of("server.drain", "60s"));
      int port = proxy.proxy().port();
      try (KeepAliveConnection first = new KeepAliveConnection(port);
          KeepAliveConnection second = new KeepAliveConnection(port)) {
        assertThat(first.postToken(PATH, basic("svc", "pw")).status()).isEqualTo(200);
        KeepAliveConnection.Response before = second.postToken(PATH, basic("svc", "pw"));
        assertThat(before.header("Connection")).as("keep-alive before the stop").isNull();

        Future<Void> stopped = proxy.proxy().stop();

        assertThat(proxy.proxy().isAccepting()).as("readiness reports down from the stop on").isFalse();
        for (KeepAliveConnection open : new KeepAliveConnection[] {first, second}) {
          KeepAliveConnection.Response during = open.postToken(PATH, basic("svc", "pw"));
          assertThat(during.status()).isEqualTo(200);
          assertThat(during.body()).contains("drained-token");
          assertThat(during.header("Connection")).isEqualTo("close");
          assertThat(open.closedByServer()).as("the connection is closed after the answer").isTrue();
        }
        try (KeepAliveConnection late = new KeepAliveConnection(port)) {
          KeepAliveConnection.Response answered = late.postToken(PATH, basic("svc", "pw"));
          assertThat(answered.status()).as("a new connection during the drain is still served").isEqualTo(200);
          assertThat(answered.header("Connection")).isEqualTo("close");
        }
        assertThat(stopped.isComplete()).as("still draining").isFalse();
        assertThat(upstream.requestCount()).as("every answer after the first came from the cache").isEqualTo(1);
      } finally {
        proxy.vertx().close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void theStopCompletesOnceTheDrainIsOver() throws Exception {
    try (FakeUpstream upstream = new FakeUpstream()) {
      upstream.enqueue(FakeUpstream.token("drained-token", 3600));
      ProxyHarness proxy = ProxyHarness.start(upstream.tokenUrl(), Map.of("server.drain", "100ms"));
      try (KeepAliveConnection open = new KeepAliveConnection(proxy.proxy().port())) {
        assertThat(open.postToken(PATH, basic("svc", "pw")).status()).isEqualTo(200);

        proxy.proxy().stop().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);

        assertThat(open.closedByServer()).as("the idle keep-alive connection is closed at the stop").isTrue();
      } finally {
        proxy.vertx().close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aRequestStillWaitingForTheUpstreamWhenTheGraceEndsGets503NotAReset() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (FakeUpstream upstream = new FakeUpstream()) {
      upstream.server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
          release.await(30, TimeUnit.SECONDS); // an authorization server slower than the grace
          return FakeUpstream.token("too-late", 3600);
        }
      });
      ProxyHarness proxy = ProxyHarness.start(upstream.tokenUrl(), Map.of("server.drain", "0s",
          "server.shutdown-grace", "200ms", "upstream.timeout", "60s"));
      try {
        CompletableFuture<TokenReply> waiting = proxy.sendAsync(
            proxy.form(null, "grant_type=client_credentials", "Authorization", basic("svc", "pw")).build());
        assertThat(upstream.server.takeRequest(10, TimeUnit.SECONDS)).as("the request reached the upstream").isNotNull();

        proxy.proxy().stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

        TokenReply reply = waiting.get(10, TimeUnit.SECONDS);
        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.json().path("error").asText()).isEqualTo("temporarily_unavailable");
        assertThat(reply.header("Retry-After")).isEqualTo("1");
        assertThat(reply.cacheResult()).isEqualTo("bypass");
      } finally {
        release.countDown();
        proxy.vertx().close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }
}
