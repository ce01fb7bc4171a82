package dev.tokencache;

import static dev.tokencache.support.Forms.basic;
import static dev.tokencache.support.Forms.enc;
import static org.assertj.core.api.Assertions.assertThat;

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
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import dev.tokencache.peers.sas.SpringAuthorizationServer;
import dev.tokencache.support.ProxyHarness;
import dev.tokencache.support.TokenReply;
import java.net.URL;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.client.endpoint.OAuth2ClientCredentialsGrantRequest;
import org.springframework.security.oauth2.client.endpoint.RestClientClientCredentialsTokenResponseClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;

/**
 * Spring Authorization Server behind the proxy; Spring Security's OAuth2 client, the Nimbus OAuth2 SDK and plain
 * HTTP in front of it. The client's secret contains {@code +}, {@code %}, {@code :} and a space.
 */
class ProxyWithSpringAuthorizationServerTest {
  private static final String ID = SpringAuthorizationServer.CLIENT_ID;
  private static final String SECRET = SpringAuthorizationServer.CLIENT_SECRET;

  private static SpringAuthorizationServer authorizationServer;
  private static ProxyHarness proxy;
  private static ProxyHarness postProxy;

  @BeforeAll
  static void start() throws Exception {
    authorizationServer = SpringAuthorizationServer.start();
    proxy = ProxyHarness.start(authorizationServer.tokenUrl());
    postProxy = ProxyHarness.start(authorizationServer.tokenUrl(), Map.of("upstream.client-auth", "post"));
  }

  @AfterAll
  static void stop() throws Exception {
    postProxy.close();
    proxy.close();
    authorizationServer.stop();
  }

  @Test
  void springSecurityClientGetsTokenThroughProxyAndSecondCallIsAHit() throws Exception {
    ClientRegistration registration = ClientRegistration.withRegistrationId("orders")
        .clientId(ID)
        .clientSecret(SECRET)
        .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
        .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
        .scope("orders.write", "orders.read")
        .tokenUri(proxy.tokenUri().toString())
        .build();
    RestClientClientCredentialsTokenResponseClient client = new RestClientClientCredentialsTokenResponseClient();

    OAuth2AccessTokenResponse first = client.getTokenResponse(new OAuth2ClientCredentialsGrantRequest(registration));
    OAuth2AccessTokenResponse second = client.getTokenResponse(new OAuth2ClientCredentialsGrantRequest(registration));

    assertThat(first.getAccessToken().getTokenValue()).isNotBlank();
    assertThat(second.getAccessToken().getTokenValue()).isEqualTo(first.getAccessToken().getTokenValue());
    assertThat(first.getAccessToken().getScopes()).containsExactlyInAnyOrder("orders.read", "orders.write");
    assertThat(verify(first.getAccessToken().getTokenValue()).getSubject()).isEqualTo(ID);
  }

  @Test
  void nimbusClientWithBasicAndPostSharesOneCachedToken() throws Exception {
    Scope scope = new Scope("orders.read");
    TokenResponse basic = TokenResponse.parse(new TokenRequest(proxy.tokenUri(),
        new ClientSecretBasic(new ClientID(ID), new Secret(SECRET)), new ClientCredentialsGrant(), scope)
        .toHTTPRequest().send());
    HTTPResponse postHttp = new TokenRequest(proxy.tokenUri(),
        new ClientSecretPost(new ClientID(ID), new Secret(SECRET)), new ClientCredentialsGrant(), scope)
        .toHTTPRequest().send();
    TokenResponse post = TokenResponse.parse(postHttp);

    assertThat(basic.indicatesSuccess()).as("basic: %s", basic).isTrue();
    assertThat(post.indicatesSuccess()).isTrue();
    assertThat(postHttp.getHeaderValue("X-Token-Cache")).isEqualTo("hit");
    String basicToken = ((AccessTokenResponse) basic).getTokens().getAccessToken().getValue();
    String postToken = ((AccessTokenResponse) post).getTokens().getAccessToken().getValue();
    assertThat(postToken).isEqualTo(basicToken);
    assertThat(verify(basicToken).getStringListClaim("scope")).containsExactly("orders.read");
  }

  @Test
  void proxyBuiltBasicHeaderCarriesSpecialCharactersForBodyAndQueryMethods() throws Exception {
    TokenReply body = proxy.post("grant_type=client_credentials&scope=orders.write&client_id=" + enc(ID)
        + "&client_secret=" + enc(SECRET));
    TokenReply query = proxy.postWithQuery("client_id=" + enc(ID) + "&client_secret=" + enc(SECRET)
        + "&scope=" + enc("orders.write orders.read"), "grant_type=client_credentials");

    assertThat(body.status()).as("%s", body).isEqualTo(200);
    assertThat(query.status()).as("%s", query).isEqualTo(200);
  }

  @Test
  void postClientAuthUpstreamAlsoWorks() throws Exception {
    TokenReply reply = postProxy.post("grant_type=client_credentials&scope=orders.read", "Authorization", basic(ID, SECRET));

    assertThat(reply.status()).as("%s", reply).isEqualTo(200);
    assertThat(reply.cacheResult()).isEqualTo("miss");
  }

  @Test
  void wrongSecretNeverSeesCachedToken() throws Exception {
    TokenReply good = proxy.post("grant_type=client_credentials&scope=orders.read orders.write".replace(" ", "+"),
        "Authorization", basic(ID, SECRET));
    TokenReply wrong = proxy.post("grant_type=client_credentials&scope=orders.read+orders.write",
        "Authorization", basic(ID, SECRET + "x"));
    TokenResponse nimbusWrong = TokenResponse.parse(new TokenRequest(proxy.tokenUri(),
        new ClientSecretBasic(new ClientID(ID), new Secret("wrong")), new ClientCredentialsGrant(),
        new Scope("orders.read", "orders.write")).toHTTPRequest().send());

    assertThat(good.status()).isEqualTo(200);
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.error()).isEqualTo("invalid_client");
    assertThat(wrong.body()).doesNotContain(good.accessToken());
    assertThat(nimbusWrong.indicatesSuccess()).isFalse();
    assertThat(((TokenErrorResponse) nimbusWrong).getErrorObject().getCode()).isEqualTo("invalid_client");
  }

  @Test
  void unknownScopeErrorPassesThrough() throws Exception {
    TokenReply reply = proxy.post("grant_type=client_credentials&scope=admin", "Authorization", basic(ID, SECRET));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error()).isEqualTo("invalid_scope");
  }

  @Test
  void hitReturnsRemainingLifetimeOfSpringToken() throws Exception {
    TokenReply first = proxy.post("grant_type=client_credentials&scope=orders.write", "Authorization", basic(ID, SECRET));
    proxy.clock.advance(Duration.ofSeconds(100));
    TokenReply later = proxy.post("grant_type=client_credentials&scope=orders.write", "Authorization", basic(ID, SECRET));

    assertThat(later.accessToken()).isEqualTo(first.accessToken());
    assertThat(later.expiresIn()).isEqualTo(first.expiresIn() - 100);
  }

  private static JWTClaimsSet verify(String token) throws Exception {
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256,
        JWKSourceBuilder.create(new URL(authorizationServer.jwksUrl())).build()));
    return processor.process(token, null);
  }
}
