package dev.tokencache.cache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class TokenCipherTest {
  private static final HexFormat HEX = HexFormat.of();

  /** RFC 5869, appendix A.1. */
  @Test
  void hkdfMatchesRfc5869TestCase1() throws Exception {
    byte[] okm = TokenCipher.hkdf(HEX.parseHex("000102030405060708090a0b0c"),
        HEX.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), HEX.parseHex("f0f1f2f3f4f5f6f7f8f9"), 42);

    assertThat(HEX.formatHex(okm)).isEqualTo(
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  }

  @Test
  void onlyTheSameClientSecretAndKeyDecrypt() {
    TokenCipher cipher = new TokenCipher("server-side-key-secret".getBytes(StandardCharsets.UTF_8));
    byte[] plain = "the token".getBytes(StandardCharsets.UTF_8);
    byte[] sealed = cipher.encrypt("client-secret", "tokencache:v1:t:aa", plain);

    assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("the token");
    assertThat(cipher.decrypt("client-secret", "tokencache:v1:t:aa", sealed)).isEqualTo(plain);
    assertThat(cipher.decrypt("client-secreT", "tokencache:v1:t:aa", sealed)).isNull();
    assertThat(cipher.decrypt("client-secret", "tokencache:v1:t:bb", sealed)).isNull();
    assertThat(new TokenCipher("another-key-secret!!".getBytes(StandardCharsets.UTF_8))
        .decrypt("client-secret", "tokencache:v1:t:aa", sealed)).isNull();
    sealed[sealed.length - 1] ^= 1;
    assertThat(cipher.decrypt("client-secret", "tokencache:v1:t:aa", sealed)).isNull();
  }
}
