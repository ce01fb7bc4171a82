package dev.tokencache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokencache.support.ChildProcess;
import dev.tokencache.support.FakeUpstream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tokencache guard} as its own process: SIGTERM with a keep-alive connection open exits promptly and cleanly. */
class GuardSigtermTest {
  @TempDir
  Path dir;

  @Test
  void sigtermExitsWithinTwoSecondsEvenWithAnIdleKeepAliveConnection() throws Exception {
    int port = ChildProcess.freePort();
    Path secret = Files.writeString(dir.resolve("origin"), "origin-secret-value");
    try (FakeUpstream upstream = new FakeUpstream()) {
      Path log = dir.resolve("guard.log");
      Process guard = ChildProcess.tokencache(log, List.of(), "guard",
          "--guard-target-url", upstream.server.url("/").toString(), "--origin-secret", "file:" + secret,
          "--server-host", "127.0.0.1", "--server-port", Integer.toString(port), "--admin-port", "0",
          "--log-access", "off");
      try (Socket client = new Socket()) {
        ChildProcess.awaitLog(guard, log, "origin guard listening");
        client.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2000);
        OutputStream out = client.getOutputStream();
        out.write("POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = client.getInputStream();
        byte[] answer = new byte[12];
        assertThat(in.readNBytes(answer, 0, 12)).isEqualTo(12);
        assertThat(new String(answer, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 403");

        guard.destroy(); // SIGTERM, the keep-alive connection still open and idle
        boolean exited = guard.waitFor(2, TimeUnit.SECONDS);

        assertThat(exited).as("guard exited within 2 s: %s", Files.readString(log)).isTrue();
        assertThat(Files.readString(log)).doesNotContain("Exception");
      } finally {
        guard.destroyForcibly();
      }
    }
  }
}
