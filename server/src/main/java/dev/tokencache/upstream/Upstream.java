package dev.tokencache.upstream;

import org.jspecify.annotations.Nullable;
import dev.tokencache.token.TokenRequest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.net.URI;

/**
 * The authorization server, as the fetch pipeline sees it: where every request the proxy sends upstream goes.
 * {@link UpstreamClient} is the real one; tests complete the futures by hand.
 *
 * <p>Both calls fail only with {@link UpstreamFailure} (no answer); any HTTP answer, error statuses included,
 * succeeds as an {@link UpstreamResponse}.
 */
public interface Upstream {

  /** The token endpoint, for cache keys and log lines. */
  URI tokenUrl();

  /** Requests a client-credentials token for {@code request}. */
  Future<UpstreamResponse> requestToken(TokenRequest request);

  /** Forwards a request of another grant type as it came: its query string, Authorization header and body. */
  Future<UpstreamResponse> forward(@Nullable String query, @Nullable String authorization, Buffer body);
}
