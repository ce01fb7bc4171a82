package dev.tokencache.issuer;

import static dev.tokencache.support.Forms.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import dev.tokencache.support.MutableClock;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The development issuer against the Nimbus OAuth2 SDK as client and Nimbus's JWT processor as verifier. */
class IssuerServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MutableClock CLOCK = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  private static Vertx vertx;
  private static IssuerServer issuer;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    ClientRegistry clients = new ClientRegistry(List.of(
        new RegisteredClient("orders", "s3+cr%t:x", Set.of("orders.read", "orders.write")),
        new RegisteredClient("reports", "pw", Set.of("reports.read"))));
    issuer = IssuerServer.start(vertx, new IssuerServer.Options("127.0.0.1", 0, Duration.ofMinutes(15), null, clients), CLOCK)
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void nimbusClientGetsVerifiableJwtWithCognitoLikeClaims() throws Exception {
    OIDCProviderMetadata metadata = OIDCProviderMetadata.resolve(new Issuer(issuer.issuer()));
    TokenResponse response = TokenResponse.parse(new TokenRequest(metadata.getTokenEndpointURI(),
        new ClientSecretBasic(new ClientID("orders"), new Secret("s3+cr%t:x")), new ClientCredentialsGrant(),
        new Scope("orders.read")).toHTTPRequest().send());

    assertThat(response.indicatesSuccess()).as("%s", response).isTrue();
    AccessTokenResponse tokens = (AccessTokenResponse) response;
    assertThat(tokens.getTokens().getAccessToken().getLifetime()).isEqualTo(900);
    JWTClaimsSet claims = verifier(metadata.getJWKSetURI()).process(tokens.getTokens().getAccessToken().getValue(), null);
    assertThat(claims.getSubject()).isEqualTo("orders");
    assertThat(claims.getStringClaim("client_id")).isEqualTo("orders");
    assertThat(claims.getStringClaim("scope")).isEqualTo("orders.read");
    assertThat(claims.getStringClaim("token_use")).isEqualTo("access");
    assertThat(claims.getIssuer()).isEqualTo(issuer.issuer());
    assertThat(claims.getIssueTime().toInstant()).isEqualTo(CLOCK.instant());
    assertThat(claims.getExpirationTime().toInstant()).isEqualTo(CLOCK.instant().plus(Duration.ofMinutes(15)));
    assertThat(claims.getJWTID()).isNotBlank();
  }

  @Test
  void clientSecretPostWorksAndNoScopeMeansAllAllowedScopes() throws Exception {
    TokenResponse response = TokenResponse.parse(new TokenRequest(URI.create(issuer.tokenUrl()),
        new ClientSecretPost(new ClientID("orders"), new Secret("s3+cr%t:x")), new ClientCredentialsGrant(), null)
        .toHTTPRequest().send());

    assertThat(response.indicatesSuccess()).isTrue();
    assertThat(((AccessTokenResponse) response).getTokens().getAccessToken().getScope())
        .isEqualTo(new Scope("orders.read", "orders.write"));
  }

  @Test
  void wrongSecretIsInvalidClientForNimbus() throws Exception {
    TokenResponse response = TokenResponse.parse(new TokenRequest(URI.create(issuer.tokenUrl()),
        new ClientSecretBasic(new ClientID("orders"), new Secret("nope")), new ClientCredentialsGrant(), null)
        .toHTTPRequest().send());

    assertThat(response.indicatesSuccess()).isFalse();
    assertThat(((TokenErrorResponse) response).getErrorObject().getCode()).isEqualTo("invalid_client");
  }

  static Stream<Arguments> errors() {
    String form = "application/x-www-form-urlencoded";
    return Stream.of(
        Arguments.of("wrong secret", "POST", form, basic("orders", "nope"), "grant_type=client_credentials", 401, "invalid_client"),
        Arguments.of("unknown client", "POST", form, basic("ghost", "pw"), "grant_type=client_credentials", 401, "invalid_client"),
        Arguments.of("no credentials", "POST", form, null, "grant_type=client_credentials", 401, "invalid_client"),
        Arguments.of("malformed basic", "POST", form, "Basic !!", "grant_type=client_credentials", 401, "invalid_client"),
        Arguments.of("scope not allowed", "POST", form, basic("reports", "pw"), "grant_type=client_credentials&scope=orders.read", 400, "invalid_scope"),
        Arguments.of("other grant", "POST", form, basic("reports", "pw"), "grant_type=password&username=u&password=p", 400, "unsupported_grant_type"),
        Arguments.of("missing grant_type", "POST", form, basic("reports", "pw"), "scope=reports.read", 400, "invalid_request"),
        Arguments.of("repeated parameter", "POST", form, basic("reports", "pw"), "grant_type=client_credentials&scope=a&scope=b", 400, "invalid_request"),
        Arguments.of("json body", "POST", "application/json", basic("reports", "pw"), "{}", 400, "invalid_request"),
        Arguments.of("GET token", "GET", null, null, null, 405, "invalid_request"),
        Arguments.of("unknown path", "GET", null, null, null, 404, "invalid_request"));
  }

  @ParameterizedTest(name = "{0} -> {5} {6}")
  @MethodSource("errors")
  void errorsFollowRfc6749(String name, String method, String contentType, String authorization, String body,
      int status, String error) throws Exception {
    String path = name.equals("unknown path") ? "/nowhere" : "/oauth2/token";
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(issuer.issuer() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(status);
    JsonNode json = JSON.readTree(response.body());
    assertThat(json.path("error").asText()).isEqualTo(error);
    if (status == 401) {
      assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
    }
  }

  @Test
  void metricsCountTokenRequests() throws Exception {
    long before = issuer.tokenRequests();
    TokenRequest request = new TokenRequest(URI.create(issuer.tokenUrl()),
        new ClientSecretBasic(new ClientID("reports"), new Secret("pw")), new ClientCredentialsGrant(), null);
    request.toHTTPRequest().send();
    request.toHTTPRequest().send();
    String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(issuer.issuer() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();

    assertThat(issuer.tokenRequests()).isEqualTo(before + 2);
    assertThat(metrics).contains("tokencache_issuer_token_requests_total " + issuer.tokenRequests());
  }

  private static DefaultJWTProcessor<SecurityContext> verifier(URI jwks) throws Exception {
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256,
        JWKSourceBuilder.create(jwks.toURL()).build()));
    // the issuer's clock is fixed in this test; check exp against it, not the wall clock
    processor.setJWTClaimsSetVerifier((claims, context) -> { });
    return processor;
  }
}
