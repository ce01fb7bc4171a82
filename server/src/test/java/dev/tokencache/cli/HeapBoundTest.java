package dev.tokencache.cli;

import static dev.tokencache.support.Forms.basic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokencache.support.ChildProcess;
import dev.tokencache.support.FakeUpstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tokencache serve} in its own JVM with a 96 MB heap and {@code cache.max-entries} of a hundred million:
 * 6,000 clients each cache a 16 KB token (96 MB offered). The memory bound evicts; the process never runs out of
 * heap.
 */
class HeapBoundTest {
  @TempDir
  Path dir;

  @Test
  void fillingTheCacheOfASmallHeapEvictsInsteadOfRunningOutOfMemory() throws Exception {
    int port = ChildProcess.freePort();
    int admin = ChildProcess.freePort();
    String bigToken = "t".repeat(16 * 1024);
    AtomicInteger served = new AtomicInteger();
    try (FakeUpstream upstream = new FakeUpstream()) {
      upstream.server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          return FakeUpstream.token(bigToken + served.incrementAndGet(), 3600);
        }
      });
      Path log = dir.resolve("serve.log");
      Process serve = ChildProcess.tokencache(log, List.of("-Xmx96m", "-XX:+ExitOnOutOfMemoryError"), "serve",
          "--upstream-token-url", upstream.tokenUrl(), "--server-host", "127.0.0.1",
          "--server-port", Integer.toString(port), "--admin-port", Integer.toString(admin), "--log-access", "off",
          "--cache-max-entries", "100000000");
      try {
        ChildProcess.awaitListening(serve, log);
        assertThat(Files.readString(log)).contains("the memory bound will hold about");
        HttpClient http = HttpClient.newHttpClient();
        List<Integer> statuses = new ArrayList<>();
        for (int batch = 0; batch < 6000; batch += 50) {
          List<CompletableFuture<HttpResponse<Void>>> replies = new ArrayList<>();
          for (int i = batch; i < batch + 50; i++) {
            replies.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/oauth2/token"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", basic("client-" + i, "pw"))
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
                HttpResponse.BodyHandlers.discarding()));
          }
          for (CompletableFuture<HttpResponse<Void>> reply : replies) {
            statuses.add(reply.get(30, TimeUnit.SECONDS).statusCode());
          }
        }
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();

        assertThat(serve.isAlive()).as("serve is alive: %s", Files.readString(log)).isTrue();
        assertThat(statuses).hasSize(6000).containsOnly(200);
        assertThat(value(metrics, "tokencache_cache_evictions_total{cause=\"memory\"}")).isGreaterThan(1000);
        assertThat(value(metrics, "tokencache_cache_entries")).isLessThan(3000);
        assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
      } finally {
        serve.destroyForcibly();
      }
    }
  }

  private static double value(String metrics, String series) {
    return dev.tokencache.support.Scrape.value(metrics, series, -1);
  }
}
