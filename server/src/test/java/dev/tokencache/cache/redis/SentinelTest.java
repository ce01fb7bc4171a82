package dev.tokencache.cache.redis;

import static dev.tokencache.support.Forms.basic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokencache.support.MockIssuer;
import dev.tokencache.support.ProxyHarness;
import dev.tokencache.support.RedisServer;
import dev.tokencache.support.TokenReply;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code redis.type: sentinel}: instances find the master through a real redis-sentinel and share tokens there. */
class SentinelTest {
  @Test
  void instancesShareTokensThroughTheMasterTheSentinelNames() throws Exception {
    try (RedisServer redis = new RedisServer();
        RedisServer.Sentinel sentinel = redis.sentinel();
        MockIssuer issuer = new MockIssuer()) {
      Map<String, String> settings = Map.of("cache.backend", "redis", "redis.type", "sentinel",
          "redis.url", sentinel.url(), "redis.master-name", "mymaster",
          "cache.key-secret", "shared-key-secret-for-all-instances", "redis.timeout", "2s");
      try (ProxyHarness first = ProxyHarness.start(issuer.tokenUrl(), settings);
          ProxyHarness second = ProxyHarness.start(issuer.tokenUrl(), settings)) {
        TokenReply fetched = first.post("grant_type=client_credentials&scope=a", "Authorization", basic("svc", "pw"));
        TokenReply shared = second.post("grant_type=client_credentials&scope=a", "Authorization", basic("svc", "pw"));

        assertThat(fetched.cacheResult()).isEqualTo("miss");
        assertThat(shared.cacheResult()).isEqualTo("hit");
        assertThat(shared.accessToken()).isEqualTo(fetched.accessToken());
        assertThat(issuer.takeRequests()).hasSize(1);
        assertThat(second.proxy().pipeline().sharedProblem()).isEmpty();
      }
    }
  }
}
