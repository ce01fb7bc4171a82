package dev.tokencache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokencache.guard.GuardServer;
import dev.tokencache.edge.ConnectionLimit;
import dev.tokencache.edge.HttpEdge;
import dev.tokencache.support.FakeUpstream;
import dev.tokencache.support.GuardFixture;
import dev.tokencache.support.ProxyHarness;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP/1 framing at both client-facing listeners (the token proxy and the guard): requests a smuggler, a
 * scanner or a broken client sends get one fixed answer that repeats nothing of the request, the connection is
 * closed after it, and nothing reaches the authorization server.
 */
class HttpEdgeTest {
  private static final String SECRET = "origin-Q7vJ2mX9kL4pR8tW1zY6bN3c";
  private static FakeUpstream upstream;
  private static ProxyHarness proxy;
  private static Vertx vertx;
  private static GuardServer guard;
  private static final List<String> guardLines = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    upstream = new FakeUpstream();
    proxy = ProxyHarness.start(upstream.tokenUrl());
    vertx = Vertx.vertx();
    guard = GuardFixture.start(vertx, upstream, SECRET, guardLines::add, new HttpEdge.Policy(Duration.ofSeconds(10),
        Duration.ofSeconds(120), ConnectionLimit.of("guard listener", 0)));
  }

  @AfterAll
  static void stop() throws Exception {
    GuardFixture.stop(guard, vertx);
    proxy.close();
    upstream.close();
  }

  /** What a raw exchange returned, and whether the server closed the connection after it. */
  private record Raw(String text, boolean closed) {
    String statusLine() {
      return text.lines().findFirst().orElse("");
    }
  }

  private static Raw send(int port, String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream read = new ByteArrayOutputStream();
      byte[] chunk = new byte[4096];
      try {
        for (int n; (n = in.read(chunk)) >= 0; ) {
          read.write(chunk, 0, n);
        }
        return new Raw(read.toString(StandardCharsets.ISO_8859_1), true);
      } catch (SocketTimeoutException stillOpen) {
        return new Raw(read.toString(StandardCharsets.ISO_8859_1), false);
      }
    }
  }

  private static int port(String listener) {
    return listener.equals("proxy") ? proxy.tokenUri().getPort() : guard.port();
  }

  private static final String FORM = "Content-Type: application/x-www-form-urlencoded\r\n";

  @ParameterizedTest
  @ValueSource(strings = {"proxy", "guard"})
  void contentLengthWithTransferEncodingIs400AndClosed(String listener) throws Exception {
    int before = upstream.requestCount();

    Raw raw = send(port(listener), "POST /oauth2/token HTTP/1.1\r\nHost: a\r\n" + FORM + "Content-Length: 5\r\n"
        + "Transfer-Encoding: chunked\r\nx-origin-verify: " + SECRET + "\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n"
        + "Host: a\r\n\r\n");

    assertThat(raw.statusLine()).isEqualTo("HTTP/1.1 400 Bad Request");
    assertThat(raw.text()).contains("Content-Length and Transfer-Encoding must not both be sent")
        .doesNotContain("smuggled").doesNotContain("HTTP/1.1 404");
    assertThat(raw.closed()).as("connection closed").isTrue();
    assertThat(upstream.requestCount()).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"proxy", "guard"})
  void aHostThatIsNotAHostGetsOneAnswer(String listener) throws Exception {
    Raw raw = send(port(listener), "GET /oauth2/token HTTP/1.1\r\nHost: x%zz\r\n\r\n");

    assertThat(raw.statusLine()).isEqualTo("HTTP/1.1 400 Bad Request");
    assertThat(raw.text()).contains("the Host header is not a valid host").doesNotContain("x%zz");
    assertThat(raw.closed()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"proxy", "guard"})
  void anUnknownVersionIsNotEchoed(String listener) throws Exception {
    Raw raw = send(port(listener), "GET /oauth2/token?client_secret=hunter2 HUNTER2/9.9\r\nHost: a\r\n\r\n");

    assertThat(raw.statusLine()).isEqualTo("HTTP/1.1 505 HTTP Version Not Supported");
    assertThat(raw.text()).doesNotContain("HUNTER2").doesNotContain("hunter2");
    assertThat(raw.closed()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"proxy", "guard"})
  void controlBytesInTheTargetNeverReachTheUpstream(String listener) throws Exception {
    int before = upstream.requestCount();
    String body = "grant_type=refresh_token&refresh_token=r";

    for (String control : new String[] {"\u0000", "\u007f", "\u0001"}) {
      Raw raw = send(port(listener), "POST /oauth2/token?x=a" + control + "b HTTP/1.1\r\nHost: a\r\n" + FORM
          + "x-origin-verify: " + SECRET + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);

      assertThat(raw.statusLine()).as("%x", (int) control.charAt(0)).isEqualTo("HTTP/1.1 400 Bad Request");
      assertThat(raw.text()).contains("the request target contains control characters");
      assertThat(raw.closed()).isTrue();
    }
    assertThat(upstream.requestCount()).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"proxy", "guard"})
  void aWellFormedRequestStillPasses(String listener) throws Exception {
    upstream.enqueue(FakeUpstream.token("edge-token", 3600));
    String body = "grant_type=client_credentials&client_id=edge-" + listener + "&client_secret=s";

    Raw raw = send(port(listener), "POST /oauth2/token HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n" + FORM
        + "x-origin-verify: " + SECRET + "\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n"
        + body);

    assertThat(raw.statusLine()).isEqualTo("HTTP/1.1 200 OK");
    assertThat(raw.text()).contains("edge-token");
  }
}
