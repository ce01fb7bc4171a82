package dev.tokencache.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class CacheKeyDeriverTest {
  private final CacheKeyDeriver keys = new CacheKeyDeriver(
      "0123456789abcdef0123".getBytes(StandardCharsets.UTF_8), "https://as.example/oauth2/token");

  private static TokenRequest request(String id, String secret, Set<String> scopes, Map<String, String> params) {
    return new TokenRequest(new ClientCredentials(id, secret), new TreeSet<>(scopes), new TreeMap<>(params), null);
  }

  @Test
  void scopeOrderDoesNotChangeTheKey() {
    assertThat(keys.keyFor(request("svc", "s", Set.of("a", "b"), Map.of())))
        .isEqualTo(keys.keyFor(request("svc", "s", new TreeSet<>(java.util.List.of("b", "a")), Map.of())));
  }

  @Test
  void wrongSecretGivesAnotherKey() {
    assertThat(keys.keyFor(request("svc", "s", Set.of("a"), Map.of())))
        .isNotEqualTo(keys.keyFor(request("svc", "S", Set.of("a"), Map.of())));
  }

  @Test
  void otherParametersScopesAndUpstreamAreInTheKey() {
    CacheKey base = keys.keyFor(request("svc", "s", Set.of("a"), Map.of()));

    assertThat(keys.keyFor(request("svc", "s", Set.of("a"), Map.of("resource", "r")))).isNotEqualTo(base);
    assertThat(keys.keyFor(request("svc", "s", Set.of("a", "b"), Map.of()))).isNotEqualTo(base);
    assertThat(new CacheKeyDeriver("0123456789abcdef0123".getBytes(StandardCharsets.UTF_8), "https://other/token")
        .keyFor(request("svc", "s", Set.of("a"), Map.of()))).isNotEqualTo(base);
  }

  @Test
  void fieldBoundariesCannotBeShifted() {
    assertThat(keys.keyFor(request("svc", "ab", Set.of(), Map.of())))
        .isNotEqualTo(keys.keyFor(request("svca", "b", Set.of(), Map.of())));
    assertThat(keys.keyFor(request("svc", "s", Set.of("a b"), Map.of())))
        .isNotEqualTo(keys.keyFor(request("svc", "s", Set.of("a", "b"), Map.of())));
  }

  @Test
  void keyDependsOnTheServerSecretAndShowsNoCredentials() {
    CacheKeyDeriver otherSecret = new CacheKeyDeriver("another-secret-value!".getBytes(StandardCharsets.UTF_8),
        "https://as.example/oauth2/token");
    TokenRequest request = request("svc", "hunter2", Set.of("a"), Map.of());

    assertThat(otherSecret.keyFor(request)).isNotEqualTo(keys.keyFor(request));
    assertThat(keys.keyFor(request).toString()).doesNotContain("svc", "hunter2");
    assertThat(request.toString()).doesNotContain("hunter2");
    assertThat(request.credentials().toString()).doesNotContain("hunter2");
  }
}
