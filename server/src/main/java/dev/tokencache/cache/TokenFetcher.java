package dev.tokencache.cache;

import dev.tokencache.token.TokenRequest;
import dev.tokencache.upstream.UpstreamResponse;
import java.util.concurrent.CompletionStage;

/** Fetches a token from the authorization server. Must not block; may complete on any thread. */
@FunctionalInterface
public interface TokenFetcher {
  CompletionStage<UpstreamResponse> fetch(TokenRequest request);
}
