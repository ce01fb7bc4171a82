package dev.tokencache.bench;

import dev.tokencache.token.TokenRequest;
import dev.tokencache.upstream.Upstream;
import dev.tokencache.upstream.UpstreamResponse;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.net.URI;

/** An authorization server that answers every client-credentials request at once with the same token body. */
record FixedUpstream(URI tokenUrl, byte[] tokenBody) implements Upstream {
  @Override
  public Future<UpstreamResponse> requestToken(TokenRequest request) {
    return Future.succeededFuture(new UpstreamResponse(200, "application/json", null, null, tokenBody, 0));
  }

  @Override
  public Future<UpstreamResponse> forward(String query, String authorization, Buffer body) {
    throw new UnsupportedOperationException("the benchmarks forward no other grant");
  }
}
