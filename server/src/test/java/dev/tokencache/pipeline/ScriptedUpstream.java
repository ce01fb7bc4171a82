package dev.tokencache.pipeline;

import dev.tokencache.token.TokenRequest;
import dev.tokencache.upstream.Upstream;
import dev.tokencache.upstream.UpstreamFailure;
import dev.tokencache.upstream.UpstreamResponse;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * An upstream whose every request is a promise the test completes by hand, in the order the requests were made:
 * the way Caffeine and Armeria test their loaders. No thread, no timer, no network.
 */
final class ScriptedUpstream implements Upstream {
  private final Deque<Promise<UpstreamResponse>> pending = new ArrayDeque<>();
  private int requests;

  @Override
  public URI tokenUrl() {
    return URI.create("https://as.example:8443/oauth2/token");
  }

  @Override
  public Future<UpstreamResponse> requestToken(TokenRequest request) {
    return call();
  }

  @Override
  public Future<UpstreamResponse> forward(String query, String authorization, Buffer body) {
    return call();
  }

  private Future<UpstreamResponse> call() {
    requests++;
    Promise<UpstreamResponse> promise = Promise.promise();
    pending.add(promise);
    return promise.future();
  }

  /** Requests made so far. */
  int requests() {
    return requests;
  }

  /** Requests not answered yet. */
  int waiting() {
    return pending.size();
  }

  /** Answers the oldest waiting request. */
  void answer(int status, String body) {
    answer(status, body, null);
  }

  void answer(int status, String body, String retryAfter) {
    next().complete(new UpstreamResponse(status, "application/json", null, retryAfter,
        body.getBytes(StandardCharsets.UTF_8), 1_000_000));
  }

  void html(int status) {
    next().complete(new UpstreamResponse(status, "text/html", null, null,
        "<html><body>Welcome</body></html>".getBytes(StandardCharsets.UTF_8), 1_000_000));
  }

  void token(String accessToken, long expiresIn) {
    answer(200, "{\"access_token\":\"" + accessToken + "\",\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn + "}");
  }

  /** Fails the oldest waiting request with no answer (connection refused). */
  void refuse() {
    next().fail(new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE, "connection refused by as.example:8443", 1000));
  }

  void timeOut() {
    next().fail(new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, "no answer from as.example:8443 within 5000 ms", 5));
  }

  private Promise<UpstreamResponse> next() {
    Promise<UpstreamResponse> promise = pending.poll();
    if (promise == null) {
      throw new AssertionError("no upstream request is waiting");
    }
    return promise;
  }
}
