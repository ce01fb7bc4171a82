package dev.tokencache;

import static dev.tokencache.support.Forms.basic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokencache.support.FakeUpstream;
import dev.tokencache.support.ProxyHarness;
import dev.tokencache.support.SelfSignedCertificate;
import dev.tokencache.support.TokenReply;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token listener: HTTPS from PEM files, and graceful shutdown. */
class ListenerTest {
  @TempDir
  Path dir;

  @Test
  void pemFilesTurnTheListenerToHttpsOnly() throws Exception {
    SelfSignedCertificate certificate = new SelfSignedCertificate(dir);
    try (FakeUpstream upstream = new FakeUpstream();
        ProxyHarness proxy = ProxyHarness.start(upstream.enqueue(FakeUpstream.token("tls-token", 3600)).tokenUrl(),
            Map.of("server.tls.cert", certificate.certFile.toString(), "server.tls.key", certificate.keyFile.toString()))) {
      HttpClient https = HttpClient.newBuilder().sslContext(certificate.trustingContext()).build();
      URI uri = URI.create("https://127.0.0.1:" + proxy.proxy().port() + "/oauth2/token");
      HttpResponse<String> reply = https.send(HttpRequest.newBuilder(uri)
          .header("Content-Type", "application/x-www-form-urlencoded")
          .header("Authorization", basic("svc", "pw"))
          .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
          .build(), HttpResponse.BodyHandlers.ofString());

      assertThat(reply.statusCode()).isEqualTo(200);
      assertThat(reply.body()).contains("tls-token");
      assertThatThrownBy(() -> proxy.http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + proxy.proxy().port() + "/oauth2/token"))
              .timeout(Duration.ofSeconds(5))
              .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
          HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void shutdownFinishesInFlightRequestsAndRefusesNewOnes() throws Exception {
    try (FakeUpstream upstream = new FakeUpstream();
        ProxyHarness proxy = ProxyHarness.start(upstream.tokenUrl())) {
      upstream.enqueue(FakeUpstream.token("in-flight", 3600).setHeadersDelay(1, TimeUnit.SECONDS));
      CompletableFuture<TokenReply> inFlight = proxy.sendAsync(proxy.form(null, "grant_type=client_credentials",
          "Authorization", basic("svc", "pw")).build());
      assertThat(upstream.server.takeRequest(10, TimeUnit.SECONDS)).isNotNull();

      CompletableFuture<Void> stopped = proxy.proxy().stop().toCompletionStage().toCompletableFuture();
      TokenReply reply = inFlight.get(10, TimeUnit.SECONDS);
      stopped.get(10, TimeUnit.SECONDS);

      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.accessToken()).isEqualTo("in-flight");
      HttpClient fresh = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      assertThatThrownBy(() -> fresh.send(proxy.form(null, "grant_type=client_credentials",
          "Authorization", basic("svc", "pw")).build(), HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void portZeroBindsOneFreePortSharedByEveryEventLoop() throws Exception {
    try (ProxyHarness proxy = ProxyHarness.start("http://127.0.0.1:1/oauth2/token",
        java.util.Map.of("server.event-loops", "4"))) {
      assertThat(proxy.proxy().listenerPorts()).containsExactly(proxy.proxy().port());
    }
  }
}
