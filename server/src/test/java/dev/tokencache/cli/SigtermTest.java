package dev.tokencache.cli;

import static dev.tokencache.support.Forms.basic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokencache.support.FakeUpstream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tokencache serve} as its own process: SIGTERM lets the request in flight finish, then the process exits. */
class SigtermTest {
  @TempDir
  Path dir;

  @Test
  void sigtermFinishesTheRequestInFlightAndExitsCleanly() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    try (FakeUpstream upstream = new FakeUpstream()) {
      upstream.enqueue(FakeUpstream.token("in-flight", 3600).setHeadersDelay(1, TimeUnit.SECONDS));
      Path log = dir.resolve("serve.log");
      Process serve = new ProcessBuilder(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve",
          "--upstream-token-url", upstream.tokenUrl(), "--server-host", "127.0.0.1",
          "--server-port", Integer.toString(port), "--admin-port", "0", "--log-access", "off",
          "--server-event-loops", "1"))
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      try {
        dev.tokencache.support.ChildProcess.awaitListening(serve, log);
        HttpClient http = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/oauth2/token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Authorization", basic("svc", "pw"))
            .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(upstream.server.takeRequest(10, TimeUnit.SECONDS)).as("request reached the upstream").isNotNull();

        serve.destroy(); // SIGTERM
        HttpResponse<String> reply = inFlight.get(15, TimeUnit.SECONDS);

        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.body()).contains("in-flight");
        assertThat(serve.waitFor(20, TimeUnit.SECONDS)).as("process exited").isTrue();
        assertThat(Files.readString(log)).contains("shutting down")
            .contains("configuration: server.host=127.0.0.1, server.port=" + port + ", ")
            .contains("upstream.token-url=" + upstream.tokenUrl());
      } finally {
        serve.destroyForcibly();
      }
    }
  }
}
