package dev.tokencache.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokencache.cache.CacheResult;
import dev.tokencache.http.RequestRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The access log's encoding, batching, dropping and flushing, without a server. */
class AccessLogTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static RequestRecord record(String clientId, String scope, Instant time) {
    return new RequestRecord(time, "req-1", "10.0.0.7", "POST", "/oauth2/token", "default", 200, CacheResult.HIT,
        false, 1_234_567, -1, clientId, scope == null ? new TreeSet<>() : new TreeSet<>(List.of(scope.split(" "))));
  }

  @Test
  void linesAreValidJsonWithEveryCharacterEscapedAndTimesAsInstantWritesThem() throws Exception {
    for (Instant time : List.of(Instant.EPOCH, Instant.parse("2026-11-24T10:00:00.120Z"),
        Instant.parse("2026-11-24T10:00:00.123456Z"), Instant.parse("2026-11-24T10:00:00.123456789Z"))) {
      String clientId = "svc \"quoted\" \\ back\u0001\u007f é ✓ 😀";
      JsonNode line = JSON.readTree(AccessLog.format(record(clientId, "b a", time)));

      assertThat(line.get("time").asText()).isEqualTo(time.toString());
      assertThat(line.get("client_id").asText()).isEqualTo(clientId);
      assertThat(line.get("scope").asText()).isEqualTo("a b");
      assertThat(line.get("duration_ms").asDouble()).isEqualTo(1.234);
      assertThat(line.get("upstream_ms").isNull()).isTrue();
      assertThat(line.get("upstream").asText()).isEqualTo("default");
    }
    JsonNode none = JSON.readTree(AccessLog.format(record(null, null, Instant.EPOCH)));
    assertThat(none.get("client_id").isNull()).isTrue();
    assertThat(none.get("scope").isNull()).isTrue();
  }

  @Test
  void everyLineIsWrittenByCloseFromSeveralThreads() throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    AccessLog log = new AccessLog(sink);
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(() -> {
        for (int i = 0; i < 5_000; i++) {
          log.completed(record("client-" + i, "s", Instant.EPOCH));
        }
      });
      threads[t].start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    log.close();

    List<String> lines = sink.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(20_000);
    assertThat(log.dropped()).isZero();
    for (String line : lines.subList(0, 100)) {
      assertThat(JSON.readTree(line).get("request_id").asText()).isEqualTo("req-1");
    }
  }

  @Test
  void linesReachTheSinkWithoutCloseByTheWritersNextPass() throws Exception {
    LineCounter sink = new LineCounter();
    AccessLog log = new AccessLog(sink);
    try {
      // a few lines (no full buffer) and then more than WAKE_AT full buffers: both reach the sink by themselves
      for (int i = 0; i < 3; i++) {
        log.completed(record("client", "s", Instant.EPOCH));
      }
      assertThat(sink.linesOnce(3)).as("a partly filled buffer, written by the 100 ms pass").isEqualTo(3);
      int many = (AccessLog.WAKE_AT + 2) * AccessLog.BUFFER_BYTES / 200;
      for (int i = 0; i < many; i++) {
        log.completed(record("client", "s", Instant.EPOCH));
      }
      assertThat(sink.linesOnce(3 + many)).isEqualTo(3 + many);
      assertThat(log.dropped()).isZero();
    } finally {
      log.close();
    }
  }

  /** Counts the lines written to it; {@link #linesOnce} waits (at most 10 s: the writer runs on real time) for a count. */
  private static final class LineCounter extends OutputStream {
    private long lines;

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        lines++;
        notifyAll();
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      for (int i = off; i < off + len; i++) {
        write(b[i]);
      }
    }

    /** The lines written once there are {@code expected}, or when 10 s have passed without. */
    synchronized long linesOnce(long expected) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      long left;
      while (lines < expected && (left = deadline - System.nanoTime()) > 0) {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return lines;
    }
  }

  @Test
  void aStuckSinkMakesTheLogDropAndCountNeverWait() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    OutputStream stuck = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        try {
          release.await(); // a full pipe, a hung disk
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    AccessLog log = new AccessLog(stuck);
    long started = System.nanoTime();
    for (int i = 0; i < 200_000; i++) { // about 50 MB of lines: far beyond what may wait
      log.completed(record("client", "s", Instant.EPOCH));
    }
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertThat(log.dropped()).as("lines dropped rather than waited for").isPositive();
    System.out.printf("200,000 records against a stuck sink: %d ms, %d dropped%n", tookMillis, log.dropped());
    release.countDown();
    log.close();
  }
}
