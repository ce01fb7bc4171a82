package dev.tokencache.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CachedTokenTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static CachedToken parse(String body) {
    return CachedToken.fromResponse(body.getBytes(StandardCharsets.UTF_8), T0).orElseThrow();
  }

  @Test
  void renderRewritesExpiresInToWholeSecondsLeftAndKeepsOtherMembers() throws Exception {
    CachedToken token = parse("{\"access_token\":\"abc\",\"expires_in\":3600,\"token_type\":\"Bearer\",\"scope\":\"a b\"}");

    JsonNode rendered = JSON.readTree(token.render(T0.plusMillis(100_400)));

    assertThat(rendered.get("expires_in").asLong()).isEqualTo(3499);
    assertThat(rendered.get("access_token").asText()).isEqualTo("abc");
    assertThat(rendered.get("scope").asText()).isEqualTo("a b");
    assertThat(rendered.get("token_type").asText()).isEqualTo("Bearer");
  }

  /** Whole seconds left, rounded down (towards the past once expired), as Duration.between(...).toMillis() / 1000 floored. */
  @ParameterizedTest
  @ValueSource(longs = {0, 1, 999_999, 1_000_000, 999_999_999, 1_000_000_000, 3_599_999_999_999L, 3_600_000_000_000L,
      3_600_000_000_001L, 3_601_500_000_000L, 7_200_000_000_000L})
  void secondsLeftCountsWholeSecondsDownAcrossSubSecondEdges(long nanosAfterT0) {
    CachedToken token = parse("{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":3600}");
    Instant now = T0.plusNanos(nanosAfterT0);
    long expected = Math.floorDiv(Duration.between(now, token.expiresAt()).toMillis(), 1000);
    assertThat(token.secondsLeftAt(now)).isEqualTo(expected);
    assertThat(token.secondsLeftAt(now.plusNanos(123_456_789))).isEqualTo(
        Math.floorDiv(Duration.between(now.plusNanos(123_456_789), token.expiresAt()).toMillis(), 1000));
  }

  @Test
  void expiryIsBoundedByJwtExpClaim() throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256),
        new JWTClaimsSet.Builder().expirationTime(Date.from(T0.plusSeconds(300))).build());
    jwt.sign(new MACSigner("0123456789abcdef0123456789abcdef"));
    CachedToken token = parse("{\"access_token\":\"" + jwt.serialize() + "\",\"expires_in\":3600}");

    assertThat(token.expiresAt()).isEqualTo(T0.plusSeconds(300));
    assertThat(token.secondsLeftAt(T0)).isEqualTo(300);
  }

  @Test
  void freshUntilMinRemainingThenStaleUntilTheSafetyMargin() {
    CachedToken token = parse("{\"access_token\":\"abc\",\"expires_in\":1000}");

    assertThat(token.isFreshAt(T0.plusSeconds(940), Duration.ofSeconds(60))).isTrue();
    assertThat(token.isFreshAt(T0.plusSeconds(941), Duration.ofSeconds(60))).isFalse();
    assertThat(token.staleUntil()).isEqualTo(T0.plusSeconds(995));
    assertThat(token.isValidAt(T0.plusSeconds(994))).isTrue();
    assertThat(token.isValidAt(T0.plusSeconds(995))).isFalse();
    assertThat(token.refreshPoint(0.8)).isEqualTo(T0.plusSeconds(800));
  }

  @Test
  void aTokenShorterThanMinRemainingIsStillFreshForNineTenthsOfItsLife() {
    CachedToken token = parse("{\"access_token\":\"abc\",\"expires_in\":60}");

    assertThat(token.freshUntil(Duration.ofSeconds(60))).isEqualTo(T0.plusSeconds(54));
    assertThat(token.isFreshAt(T0.plusSeconds(54), Duration.ofSeconds(60))).isTrue();
    assertThat(token.isFreshAt(T0.plusSeconds(55), Duration.ofSeconds(60))).isFalse();
    assertThat(token.staleUntil()).isEqualTo(T0.plusSeconds(57));
    assertThat(token.refreshPoint(0.8)).isBefore(token.freshUntil(Duration.ofSeconds(60)));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "not json", "[]", "{}", "{\"expires_in\":3600}", "{\"access_token\":\"\",\"expires_in\":3600}",
      "{\"access_token\":7,\"expires_in\":3600}", "{\"access_token\":\"t\"}", "{\"access_token\":\"t\",\"expires_in\":0}",
      "{\"access_token\":\"t\",\"expires_in\":-5}", "{\"access_token\":\"t\",\"expires_in\":\"soon\"}",
      "{\"access_token\":\"t\",\"expires_in\":true}"})
  void onlyTokensWithAccessTokenAndPositiveExpiresInAreCacheable(String body) {
    assertThat(CachedToken.fromResponse(body.getBytes(StandardCharsets.UTF_8), T0)).isEmpty();
  }

  @Test
  void bytesRoundTripExactly() {
    CachedToken token = CachedToken.fromResponse(
        "{\"access_token\":\"abc\",\"expires_in\":1000,\"scope\":\"a\"}".getBytes(StandardCharsets.UTF_8),
        T0.plusNanos(123_456_789)).orElseThrow();
    CachedToken copy = CachedToken.fromBytes(token.toBytes()).orElseThrow();

    assertThat(copy.receivedAt()).isEqualTo(token.receivedAt());
    assertThat(copy.expiresAt()).isEqualTo(token.expiresAt());
    assertThat(copy.render(T0)).isEqualTo(token.render(T0));
    assertThat(CachedToken.fromBytes(new byte[] {9, 9, 9})).isEmpty();
  }

  @Test
  void toStringShowsNoToken() {
    assertThat(parse("{\"access_token\":\"very-secret-token\",\"expires_in\":10}").toString())
        .doesNotContain("very-secret-token");
  }
}
