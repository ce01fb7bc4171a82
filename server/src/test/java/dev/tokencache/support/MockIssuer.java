package dev.tokencache.support;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import okhttp3.mockwebserver.RecordedRequest;

/** NAV's mock-oauth2-server on a free port, with a way to see the requests it received. */
public final class MockIssuer implements AutoCloseable {
  public final MockOAuth2Server server = new MockOAuth2Server();

  public MockIssuer() {
    server.start();
  }

  public String tokenUrl() {
    return server.tokenEndpointUrl("default").toString();
  }

  /**
   * The requests received since the last call. Every request a test waits for has been answered before the
   * test calls this, so they are all recorded already; the short poll only detects the end of the queue.
   */
  public List<RecordedRequest> takeRequests() {
    List<RecordedRequest> requests = new ArrayList<>();
    while (true) {
      try {
        requests.add(server.takeRequest(10, TimeUnit.MILLISECONDS));
      } catch (RuntimeException none) { // mock-oauth2-server's way of saying the queue is empty
        return requests;
      }
    }
  }

  /** Waits (up to 10 s) for the next request; fails if none came. */
  public RecordedRequest awaitRequest() {
    return server.takeRequest(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    server.shutdown();
  }
}
