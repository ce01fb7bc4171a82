package dev.tokencache.cache;

import dev.tokencache.token.CachedToken;
import java.util.concurrent.CompletableFuture;

/** The answer of {@link TokenCache#lookup}: a token now, or a fetch to wait for. */
public sealed interface Lookup {

  /** A servable token from the cache. */
  record Hit(CachedToken token) implements Lookup {}

  /**
   * A fetch from the upstream, started by this request ({@link CacheResult#MISS} or
   * {@link CacheResult#REFRESH}) or by another one ({@link CacheResult#COALESCED}). The future fails only
   * with {@link dev.tokencache.upstream.UpstreamFailure}, and completes on whichever thread finished the
   * fetch: hop back to your own context before touching the request.
   */
  record Pending(CompletableFuture<Fetched> fetch, CacheResult result) implements Lookup {}
}
