package dev.tokencache.support;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * OkHttp's MockWebServer as an upstream that answers what a test scripts: errors, slow answers, broken bodies.
 * Used where a real authorization server cannot be made to misbehave on cue.
 */
public final class FakeUpstream implements AutoCloseable {
  public final MockWebServer server = new MockWebServer();

  public FakeUpstream() throws IOException {
    server.start();
  }

  public String tokenUrl() {
    return server.url("/oauth2/token").toString();
  }

  public FakeUpstream enqueue(MockResponse response) {
    server.enqueue(response);
    return this;
  }

  public static MockResponse json(int status, String body) {
    return new MockResponse().setResponseCode(status).setHeader("Content-Type", "application/json").setBody(body);
  }

  public static MockResponse token(String accessToken, long expiresIn) {
    return json(200, "{\"access_token\":\"" + accessToken + "\",\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn + "}");
  }

  public int requestCount() {
    return server.getRequestCount();
  }

  /** Requests received so far (all have been answered when a test asks). */
  public List<RecordedRequest> takeRequests() throws InterruptedException {
    List<RecordedRequest> requests = new ArrayList<>();
    RecordedRequest request;
    while ((request = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
      requests.add(request);
    }
    return requests;
  }

  @Override
  public void close() throws IOException {
    server.shutdown();
  }
}
