package dev.tokencache.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokencache.token.TokenRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class TokenRequestParserTest {
  private static TokenRequest parse(String authorization, String query, String body) {
    return ((ParsedRequest.ClientCredentialsGrant) TokenRequestParser.parse(authorization, query, body)).request();
  }

  private static String basic(String raw) {
    return "Basic " + Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void threeMethodsGiveTheSameCanonicalRequest() {
    TokenRequest viaBasic = parse(basic("svc:pw"), null, "grant_type=client_credentials&scope=b+a");
    TokenRequest viaBody = parse(null, null, "grant_type=client_credentials&client_id=svc&client_secret=pw&scope=a%20b");
    TokenRequest viaQuery = parse(null, "client_id=svc&client_secret=pw&scope=a%20b%20a", "grant_type=client_credentials");

    assertThat(viaBody.credentials()).isEqualTo(viaBasic.credentials());
    assertThat(viaQuery.credentials()).isEqualTo(viaBasic.credentials());
    assertThat(viaBasic.scope()).isEqualTo("a b");
    assertThat(viaQuery.scopes()).containsExactly("a", "b");
    assertThat(viaBody.parameters()).isEqualTo(viaBasic.parameters()).isEmpty();
  }

  @Test
  void basicCredentialsAreFormDecodedPerRfc6749() {
    TokenRequest request = parse(basic("svc%3A1:s3%2Bcr%25t%3Ax+y"), null, "grant_type=client_credentials");

    assertThat(request.credentials().clientId()).isEqualTo("svc:1");
    assertThat(request.credentials().clientSecret()).isEqualTo("s3+cr%t:x y");
    assertThat(request.clientAuthorization()).isEqualTo(basic("svc%3A1:s3%2Bcr%25t%3Ax+y"));
  }

  @Test
  void basicSecretWithStrayPercentIsTakenLiterally() {
    assertThat(parse(basic("svc:100%"), null, "grant_type=client_credentials").credentials().clientSecret())
        .isEqualTo("100%");
  }

  @Test
  void otherParametersAreKeptAndEmptyValuesCountAsAbsent() {
    TokenRequest request = parse(basic("svc:pw"), "audience=api", "grant_type=client_credentials&resource=r&scope=&x=");

    assertThat(request.parameters()).containsExactly(java.util.Map.entry("audience", "api"), java.util.Map.entry("resource", "r"));
    assertThat(request.scopes()).isEmpty();
  }

  @Test
  void matchingClientIdBesideBasicIsAccepted() {
    assertThat(parse(basic("svc:pw"), null, "grant_type=client_credentials&client_id=svc").credentials().clientId())
        .isEqualTo("svc");
  }

  @Test
  void otherGrantTypesAreRecognisedWithoutCredentials() {
    assertThat(TokenRequestParser.parse(null, null, "grant_type=authorization_code&code=x"))
        .isEqualTo(new ParsedRequest.OtherGrant("authorization_code", ""));
    assertThat(TokenRequestParser.parse(basic("web:pw"), null, "grant_type=refresh_token&refresh_token=r"))
        .isEqualTo(new ParsedRequest.OtherGrant("refresh_token", "web"));
  }

  @Test
  void errorMessagesNeverEchoValues() {
    assertThatThrownBy(() -> TokenRequestParser.parse(null, null, "grant_type=client_credentials&sec%22ret=1&sec%22ret=2"))
        .isInstanceOf(InvalidTokenRequest.class)
        .hasMessageContaining("sec?ret")
        .hasMessageNotContaining("\"");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"Basic", "basic", "BASIC", "bAsIc"})
  void theBasicSchemeIsMatchedInAnyCase(String scheme) {
    String credentials = Base64.getEncoder().encodeToString("svc:pw".getBytes(StandardCharsets.UTF_8));
    assertThat(parse(scheme + " " + credentials, null, "grant_type=client_credentials").credentials().clientId())
        .isEqualTo("svc");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"Bearer", "Basicx", "Basi", "ba\u017fic", "bas\u0131c"})
  void anotherSchemeOrAUnicodeLookalikeOfBasicIsRefused(String scheme) {
    // ſ (U+017F) and ı (U+0131) upper-case to S and I: a case-insensitive match by upper case would take them
    String credentials = Base64.getEncoder().encodeToString("svc:pw".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> TokenRequestParser.parse(scheme + " " + credentials, null, "grant_type=client_credentials"))
        .isInstanceOfSatisfying(InvalidTokenRequest.class,
            e -> assertThat(e.error().description()).isEqualTo("the Authorization header must use the Basic scheme"));
  }

  @Test
  void basicCredentialsSplitAtTheFirstColonAndDecodeAsUtf8() {
    TokenRequest request = parse(basic("sérvice-✓:pa:ss-é"), null, "grant_type=client_credentials");
    assertThat(request.credentials().clientId()).isEqualTo("sérvice-✓");
    assertThat(request.credentials().clientSecret()).isEqualTo("pa:ss-é");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"svc", ":pw", "svc:"})
  void basicCredentialsWithoutBothPartsAreRefused(String raw) {
    assertThatThrownBy(() -> TokenRequestParser.parse(basic(raw), null, "grant_type=client_credentials"))
        .isInstanceOfSatisfying(InvalidTokenRequest.class, e -> assertThat(e.error().description())
            .isEqualTo("the Basic credentials must be client_id:client_secret"));
  }
}
