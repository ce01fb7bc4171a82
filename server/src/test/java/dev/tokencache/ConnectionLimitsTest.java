package dev.tokencache;

import static dev.tokencache.support.Forms.basic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokencache.edge.ConnectionLimit;
import dev.tokencache.edge.HttpEdge;
import dev.tokencache.guard.GuardServer;
import dev.tokencache.support.FakeUpstream;
import dev.tokencache.support.GuardFixture;
import dev.tokencache.support.KeepAliveConnection;
import dev.tokencache.support.ProxyHarness;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What keeps a flood of idle or slow connections from holding the client-facing listeners (the token proxy and the
 * guard): a request head must arrive within {@code server.header-timeout}, and at most
 * {@code server.max-connections} are open at once.
 */
class ConnectionLimitsTest {
  private static final int MAX = 3;
  /** Longer than every wait below that expects a connection to stay open (1 s), far shorter than the default. */
  private static final Duration IDLE = Duration.ofSeconds(2);
  private static FakeUpstream upstream;
  private static ProxyHarness proxy;
  private static Vertx vertx;
  private static GuardServer guard;

  @BeforeAll
  static void start() throws Exception {
    upstream = new FakeUpstream();
    for (int i = 0; i < 20; i++) {
      upstream.enqueue(FakeUpstream.token("limited", 3600));
    }
    proxy = ProxyHarness.start(upstream.tokenUrl(),
        Map.of("server.header-timeout", "300ms", "server.max-connections", Integer.toString(MAX),
            "server.idle-timeout", IDLE.toMillis() + "ms"));
    vertx = Vertx.vertx();
    guard = GuardFixture.start(vertx, upstream, "origin-secret-value-0123456789", line -> { },
        new HttpEdge.Policy(Duration.ofMillis(300), IDLE, ConnectionLimit.of("guard listener", MAX)));
  }

  @AfterAll
  static void stop() throws Exception {
    GuardFixture.stop(guard, vertx);
    proxy.close();
    upstream.close();
  }

  private static int port(String listener) {
    return listener.equals("proxy") ? proxy.proxy().port() : guard.port();
  }

  /** Whether the server closed the connection: end of stream within 5 s (a bound on the wait, never a measurement). */
  private static boolean closedByServer(Socket socket) throws IOException {
    socket.setSoTimeout(5_000);
    try {
      return socket.getInputStream().read() < 0;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"proxy", "guard"})
  void aConnectionThatSendsNothingIsClosedAfterTheHeaderTimeout(String listener) throws Exception {
    try (Socket silent = new Socket("127.0.0.1", port(listener))) {
      assertThat(closedByServer(silent)).isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"proxy", "guard"})
  void aHeadTrickledAByteAtATimeIsClosedAtTheDeadlineNotAtTheIdleTimeout(String listener) throws Exception {
    try (Socket slow = new Socket("127.0.0.1", port(listener))) {
      OutputStream out = slow.getOutputStream();
      slow.setSoTimeout(100);
      byte[] head = "POST /oauth2/token HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
          .getBytes(StandardCharsets.US_ASCII);
      boolean closed = false;
      // one byte per 100 ms read timeout: each byte would reset an idle timeout, never the head's deadline
      for (int i = 0; i < head.length && !closed; i++) {
        try {
          out.write(head[i]);
          out.flush();
          closed = slow.getInputStream().read() < 0;
        } catch (SocketTimeoutException stillOpen) {
          // the next byte
        } catch (IOException reset) {
          closed = true;
        }
      }
      assertThat(closed).as("closed before the head was complete").isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"proxy", "guard"})
  void aKeepAliveConnectionIdleBetweenRequestsIsNotCutByTheHeaderTimeout(String listener) throws Exception {
    try (KeepAliveConnection connection = new KeepAliveConnection(port(listener))) {
      connection.postToken("/oauth2/token", basic("svc", "pw"));
      // waits past the 300 ms deadline (the read's bound): between requests only the idle timeout applies
      assertThat(connection.readTimeout(Duration.ofSeconds(1)).closedByServer()).as("still open after 1 s idle")
          .isFalse();
      assertThat(connection.postToken("/oauth2/token", basic("svc", "pw")).status()).isPositive();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"proxy", "guard"})
  void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout(String listener) throws Exception {
    try (KeepAliveConnection connection = new KeepAliveConnection(port(listener))) {
      assertThat(connection.postToken("/oauth2/token", basic("svc", "pw")).status()).isPositive();
      // the 5 s read bound is past the 2 s idle timeout: the server closes first
      assertThat(connection.closedByServer()).as("closed once idle for server.idle-timeout").isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"proxy", "guard"})
  void overTheConnectionLimitANewConnectionIsClosedAtOnceAndOneClosingMakesRoom(String listener) throws Exception {
    List<KeepAliveConnection> held = new ArrayList<>();
    try {
      for (int i = 0; i < MAX; i++) {
        KeepAliveConnection connection = new KeepAliveConnection(port(listener));
        held.add(connection);
        assertThat(connection.postToken("/oauth2/token", basic("svc", "pw")).status()).isPositive();
      }
      try (Socket over = new Socket("127.0.0.1", port(listener))) {
        assertThat(closedByServer(over)).as("the connection over the limit is closed").isTrue();
      }
      held.remove(0).close();
      assertThat(admittedWithin10s(listener)).as("a closed connection makes room").isTrue();
    } finally {
      for (KeepAliveConnection connection : held) {
        connection.close();
      }
    }
  }

  /** Tries new connections until one is answered (the server sees the freed connection's close asynchronously). */
  private static boolean admittedWithin10s(String listener) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (KeepAliveConnection connection = new KeepAliveConnection(port(listener))) {
        if (connection.postToken("/oauth2/token", basic("svc", "pw")).status() > 0) {
          return true;
        }
      } catch (IOException closedAtOnce) {
        // not yet
      }
      Thread.sleep(20); // polling for the server to see the freed connection close, bounded by the deadline
    }
    return false;
  }
}
