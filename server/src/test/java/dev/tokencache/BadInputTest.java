package dev.tokencache;

import static dev.tokencache.support.Forms.basic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokencache.support.FakeUpstream;
import dev.tokencache.support.ProxyHarness;
import dev.tokencache.support.TokenReply;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad input of docs/token-endpoint.md gets its status and an RFC 6749 error JSON, never a 500, and never reaches the
 * authorization server.
 */
class BadInputTest {
  private static FakeUpstream upstream;
  private static ProxyHarness proxy;

  @BeforeAll
  static void start() throws Exception {
    upstream = new FakeUpstream();
    proxy = ProxyHarness.start(upstream.tokenUrl(), Map.of("server.max-body", "1KiB"));
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
    upstream.close();
  }

  private static final String FORM = "application/x-www-form-urlencoded";
  private static final String SECRET = "Zq7-very-private";
  private static final String BASIC = basic("svc", SECRET);

  static Stream<Arguments> badInputs() {
    String big = "grant_type=client_credentials&scope=" + "a".repeat(2000);
    return Stream.of(
        Arguments.of("empty body", post("", FORM, BASIC), 400, "invalid_request"),
        Arguments.of("missing grant_type", post("scope=a", FORM, BASIC), 400, "invalid_request"),
        Arguments.of("duplicate grant_type", post("grant_type=client_credentials&grant_type=client_credentials", FORM, BASIC), 400, "invalid_request"),
        Arguments.of("duplicate scope", post("grant_type=client_credentials&scope=a&scope=b", FORM, BASIC), 400, "invalid_request"),
        Arguments.of("scope in query and body", postQuery("scope=a", "grant_type=client_credentials&scope=b", BASIC), 400, "invalid_request"),
        Arguments.of("broken percent escape", post("grant_type=client_credentials&scope=%zz", FORM, BASIC), 400, "invalid_request"),
        Arguments.of("parameter without name", post("grant_type=client_credentials&=x", FORM, BASIC), 400, "invalid_request"),
        Arguments.of("json body", post("{\"grant_type\":\"client_credentials\"}", "application/json", BASIC), 400, "invalid_request"),
        Arguments.of("no content type", postNoType("grant_type=client_credentials", BASIC), 400, "invalid_request"),
        Arguments.of("body over max-body", post(big, FORM, BASIC), 413, "invalid_request"),
        Arguments.of("no credentials", post("grant_type=client_credentials", FORM, null), 401, "invalid_client"),
        Arguments.of("client_id without secret", post("grant_type=client_credentials&client_id=svc", FORM, null), 401, "invalid_client"),
        Arguments.of("Bearer instead of Basic", post("grant_type=client_credentials", FORM, "Bearer abc"), 401, "invalid_client"),
        Arguments.of("Basic not base64", post("grant_type=client_credentials", FORM, "Basic %%%"), 401, "invalid_client"),
        Arguments.of("Basic without colon", post("grant_type=client_credentials", FORM, "Basic " + b64("svc")), 401, "invalid_client"),
        Arguments.of("Basic with empty id", post("grant_type=client_credentials", FORM, "Basic " + b64(":" + SECRET)), 401, "invalid_client"),
        Arguments.of("Basic and client_secret", post("grant_type=client_credentials&client_id=svc&client_secret=" + SECRET, FORM, BASIC), 400, "invalid_request"),
        Arguments.of("Basic and another client_id", post("grant_type=client_credentials&client_id=other", FORM, BASIC), 400, "invalid_request"),
        Arguments.of("GET on token path", request("GET", "/oauth2/token", null, null), 405, "invalid_request"),
        Arguments.of("PUT on token path", request("PUT", "/oauth2/token", "grant_type=client_credentials", FORM), 405, "invalid_request"),
        Arguments.of("unknown path", request("POST", "/oauth2/other", "grant_type=client_credentials", FORM), 404, "invalid_request"),
        Arguments.of("root path", request("GET", "/", null, null), 404, "invalid_request"));
  }

  @ParameterizedTest(name = "{0} -> {2} {3}")
  @MethodSource("badInputs")
  void badInputGetsOAuthErrorAndNeverReachesUpstream(String name, HttpRequest request, int status, String error)
      throws Exception {
    int before = upstream.requestCount();
    TokenReply reply = proxy.send(request);

    assertThat(reply.status()).isEqualTo(status);
    assertThat(reply.header("Content-Type")).startsWith("application/json");
    assertThat(reply.error()).isEqualTo(error);
    assertThat(reply.json().path("error_description").asText()).isNotBlank();
    assertThat(reply.body()).doesNotContain(SECRET).doesNotContain("Exception");
    if (status == 401) {
      assertThat(reply.header("WWW-Authenticate")).startsWith("Basic");
    }
    if (status == 405) {
      assertThat(reply.header("Allow")).isEqualTo("POST");
    }
    assertThat(upstream.requestCount()).isEqualTo(before);
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static HttpRequest post(String body, String contentType, String authorization) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(proxy.tokenUri())
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      builder.header("Authorization", authorization);
    }
    return builder.build();
  }

  private static HttpRequest postQuery(String query, String body, String authorization) {
    return HttpRequest.newBuilder(proxy.uri("/oauth2/token?" + query))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", FORM)
        .header("Authorization", authorization)
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private static HttpRequest postNoType(String body, String authorization) {
    return HttpRequest.newBuilder(proxy.tokenUri())
        .timeout(Duration.ofSeconds(10))
        .header("Authorization", authorization)
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private static HttpRequest request(String method, String path, String body, String contentType) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(proxy.uri(path)).timeout(Duration.ofSeconds(10));
    if (contentType != null) {
      builder.header("Content-Type", contentType);
    }
    return builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build();
  }
}
