package dev.tokencache;

import static dev.tokencache.support.Forms.basic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokencache.origin.SecretSources;
import dev.tokencache.support.ProxyHarness;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An authorization server (or a gateway before it) whose error pages reflect the request headers must not hand the
 * origin secret to the proxy's clients: what the proxy passes back is redacted.
 */
class OriginSecretReflectionTest {
  private static final String SECRET = "origin-R8tW1zY6bN3cF5hD0sA2Q7vJ";
  private final MockWebServer reflecting = new MockWebServer();
  private ProxyHarness proxy;

  @BeforeEach
  void start() throws Exception {
    reflecting.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String echoed = "{\"error\":\"invalid_grant\",\"error_description\":\"headers were: "
            + request.getHeaders().toString().replace("\n", "; ") + "\"}";
        return new MockResponse().setResponseCode(400).addHeader("Content-Type", "application/json")
            .addHeader("WWW-Authenticate", "Bearer error_description=\"x-origin-verify="
                + request.getHeaders().get("x-origin-verify") + "\"")
            .setBody(echoed);
      }
    });
    reflecting.start();
    proxy = ProxyHarness.withOrigin(reflecting.url("/oauth2/token").toString(), Map.of(),
        vertx -> SecretSources.parse("env:ORIGIN", Map.of("ORIGIN", SECRET), Duration.ofMinutes(1),
            Duration.ofMinutes(10), InstantSource.system()));
  }

  @AfterEach
  void stop() throws Exception {
    proxy.close();
    reflecting.close();
  }

  @Test
  void aReflectedOriginSecretIsRedactedFromPassedThroughAnswers() throws Exception {
    HttpResponse<String> passed = proxy.http.send(proxy.form(null, "grant_type=refresh_token&refresh_token=r",
        "Authorization", basic("svc", "pw")).build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> refused = proxy.http.send(proxy.form(null, "grant_type=client_credentials&scope=a",
        "Authorization", basic("svc", "pw")).build(), HttpResponse.BodyHandlers.ofString());

    for (HttpResponse<String> response : java.util.List.of(passed, refused)) {
      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(response.body()).as("the upstream's answer is passed back").contains("headers were")
          .contains("[redacted]").doesNotContain(SECRET);
      assertThat(response.headers().map().toString()).doesNotContain(SECRET);
    }
    assertThat(reflecting.takeRequest().getHeaders().get("x-origin-verify")).as("the secret was sent").isEqualTo(SECRET);
  }
}
