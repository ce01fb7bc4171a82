package dev.tokencache.cli;

import static dev.tokencache.support.Forms.basic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokencache.support.ChildProcess;
import dev.tokencache.support.FakeUpstream;
import dev.tokencache.support.KeepAliveConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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
    int port = ChildProcess.freePort();
    try (FakeUpstream upstream = new FakeUpstream()) {
      upstream.server.setDispatcher(new okhttp3.mockwebserver.Dispatcher() {
        @Override
        public okhttp3.mockwebserver.MockResponse dispatch(okhttp3.mockwebserver.RecordedRequest request) {
          if (request.getHeader("Authorization") == null) { // serve's start-up probe, without credentials
            return FakeUpstream.json(401, "{\"error\":\"invalid_client\"}");
          }
          return FakeUpstream.token("in-flight", 3600).setHeadersDelay(1, TimeUnit.SECONDS);
        }
      });
      Path log = dir.resolve("serve.log");
      Process serve = ChildProcess.tokencache(log, List.of(), "serve",
          "--upstream-token-url", upstream.tokenUrl(), "--server-host", "127.0.0.1",
          "--server-port", Integer.toString(port), "--admin-port", "0", "--log-access", "off",
          "--server-event-loops", "1");
      try {
        ChildProcess.awaitListening(serve, log);
        HttpClient http = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/oauth2/token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Authorization", basic("svc", "pw"))
            .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(awaitClientRequest(upstream)).as("the client's request reached the upstream").isTrue();

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

  @Test
  void afterSigtermKeepAliveClientsAreServedThroughTheDrainWhileReadinessIsDown() throws Exception {
    int port = ChildProcess.freePort();
    int adminPort = ChildProcess.freePort();
    try (FakeUpstream upstream = new FakeUpstream()) {
      upstream.server.setDispatcher(new okhttp3.mockwebserver.Dispatcher() {
        @Override
        public okhttp3.mockwebserver.MockResponse dispatch(okhttp3.mockwebserver.RecordedRequest request) {
          return request.getHeader("Authorization") == null
              ? FakeUpstream.json(401, "{\"error\":\"invalid_client\"}")
              : FakeUpstream.token("kept-alive", 3600);
        }
      });
      Path log = dir.resolve("serve.log");
      Process serve = ChildProcess.tokencache(log, List.of(), "serve",
          "--upstream-token-url", upstream.tokenUrl(), "--server-host", "127.0.0.1",
          "--server-port", Integer.toString(port), "--admin-port", Integer.toString(adminPort), "--log-access", "off",
          "--server-drain", "3s");
      List<KeepAliveConnection> pool = new java.util.ArrayList<>();
      try (KeepAliveConnection admin = new KeepAliveConnection(awaitAdmin(serve, log, adminPort))) {
        for (int i = 0; i < 8; i++) { // what a pooling client holds: connections used once, then idle
          KeepAliveConnection connection = new KeepAliveConnection(port);
          pool.add(connection);
          assertThat(connection.postToken("/oauth2/token", basic("svc", "pw")).status()).isEqualTo(200);
        }
        assertThat(admin.get("/health/ready").status()).isEqualTo(200);

        serve.destroy(); // SIGTERM
        assertThat(awaitNotReady(adminPort)).as("readiness reports down during the drain").isTrue();

        for (KeepAliveConnection connection : pool) {
          KeepAliveConnection.Response answer = connection.postToken("/oauth2/token", basic("svc", "pw"));
          assertThat(answer.status()).isEqualTo(200);
          assertThat(answer.body()).contains("kept-alive");
          assertThat(answer.header("Connection")).isEqualTo("close");
        }
        assertThat(serve.waitFor(20, TimeUnit.SECONDS)).as("process exited").isTrue();
        assertThat(Files.readString(log)).contains("draining for 3000 ms");
      } finally {
        for (KeepAliveConnection connection : pool) {
          connection.close();
        }
        serve.destroyForcibly();
      }
    }
  }

  private static int awaitAdmin(Process serve, Path log, int adminPort) throws Exception {
    ChildProcess.awaitLog(serve, log, "admin listener");
    return adminPort;
  }

  /** Polls readiness on fresh connections (at most 10 s) until it answers 503. */
  private static boolean awaitNotReady(int adminPort) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (KeepAliveConnection probe = new KeepAliveConnection(adminPort)) {
        if (probe.get("/health/ready").status() == 503) {
          return true;
        }
      } catch (java.io.IOException stillStarting) {
        // not answering: try again
      }
      Thread.sleep(20); // polling readiness, bounded by the deadline
    }
    return false;
  }

  /** Waits (at most 10 s) for the client's request to reach the upstream, passing over the start-up probe. */
  private static boolean awaitClientRequest(FakeUpstream upstream) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      okhttp3.mockwebserver.RecordedRequest request = upstream.server.takeRequest(100, TimeUnit.MILLISECONDS);
      if (request != null && request.getHeader("Authorization") != null) {
        return true;
      }
    }
    return false;
  }
}
