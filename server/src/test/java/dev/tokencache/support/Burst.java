package dev.tokencache.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Concurrent identical token requests spread over several proxies, as a fleet of instances sees a cold key. */
public final class Burst {
  private Burst() {}

  /**
   * Sends {@code requests} requests at once, round-robin over {@code proxies}, for {@code scope} with the client's
   * Basic credentials; checks that every one is answered 200 and returns the distinct tokens handed out.
   */
  public static Set<String> tokens(List<ProxyHarness> proxies, int requests, String scope, String authorization)
      throws Exception {
    List<CompletableFuture<TokenReply>> replies = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      ProxyHarness proxy = proxies.get(i % proxies.size());
      replies.add(proxy.sendAsync(proxy.form(null, "grant_type=client_credentials&scope=" + scope,
          "Authorization", authorization).build()));
    }
    Set<String> tokens = new HashSet<>();
    for (CompletableFuture<TokenReply> reply : replies) {
      TokenReply served = reply.get(30, TimeUnit.SECONDS);
      assertThat(served.status()).isEqualTo(200);
      tokens.add(served.accessToken());
    }
    return tokens;
  }
}
