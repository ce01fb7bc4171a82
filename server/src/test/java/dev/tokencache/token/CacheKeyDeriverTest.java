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

  /**
   * Keys live in Redis and are shared by every instance, old and new during a rolling deploy: the derivation must
   * not change. This is the documented encoding, written out the slow way (one length-prefixed field at a time),
   * with a long non-ASCII value that outgrows the deriver's buffer.
   */
  @Test
  void theKeyIsTheHmacOfTheDocumentedEncoding() throws Exception {
    String longScope = "ß".repeat(400);
    TokenRequest request = request("svc-é", "s3cret", Set.of("b", "a", longScope), Map.of("resource", "r", "aud", "x"));
    java.io.ByteArrayOutputStream encoded = new java.io.ByteArrayOutputStream();
    java.io.DataOutputStream out = new java.io.DataOutputStream(encoded);
    out.writeByte(1);
    for (String field : new String[] {"https://as.example/oauth2/token", "client_credentials", "svc-é", "s3cret"}) {
      byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
      out.writeInt(bytes.length);
      out.write(bytes);
    }
    out.writeInt(3);
    for (String field : new String[] {"a", "b", longScope, "2", "aud", "x", "resource", "r"}) {
      if (field.equals("2")) {
        out.writeInt(2);
        continue;
      }
      byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
      out.writeInt(bytes.length);
      out.write(bytes);
    }
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec("0123456789abcdef0123".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String expected = java.util.HexFormat.of().formatHex(mac.doFinal(encoded.toByteArray()));

    assertThat(keys.keyFor(request).hex()).isEqualTo(expected);
    assertThat(keys.keyFor(request).hex()).as("the same again: nothing left over from the first").isEqualTo(expected);
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
