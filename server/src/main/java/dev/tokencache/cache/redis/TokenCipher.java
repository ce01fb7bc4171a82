package dev.tokencache.cache.redis;

import org.jspecify.annotations.Nullable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts shared-tier values with AES-256-GCM under a key derived with HKDF-SHA256 (RFC 5869) from
 * {@code cache.key-secret} (the salt) and the client's secret (the input key material), with the Redis key as
 * associated data. Whoever copies the store, even with the key secret, reads no token without the client's
 * secret; a value moved to another key does not decrypt. Layout: 12-byte random nonce, then ciphertext and tag.
 * Thread-safe.
 */
final class TokenCipher {
  private static final byte[] INFO = "tokencache v1 shared-tier value".getBytes(StandardCharsets.UTF_8);
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final byte[] salt;
  private final SecureRandom random = new SecureRandom();

  TokenCipher(byte[] keySecret) {
    this.salt = keySecret.clone();
  }

  byte[] encrypt(String clientSecret, String redisKey, byte[] plaintext) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, clientSecret, nonce, redisKey);
      byte[] sealed = cipher.doFinal(plaintext);
      byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
      System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /** The plaintext, or {@code null} when the value was not sealed for this secret and key (or was altered). */
  byte @Nullable [] decrypt(String clientSecret, String redisKey, byte[] value) {
    if (value.length <= NONCE_BYTES) {
      return null;
    }
    try {
      Cipher cipher = cipher(Cipher.DECRYPT_MODE, clientSecret, Arrays.copyOf(value, NONCE_BYTES), redisKey);
      return cipher.doFinal(value, NONCE_BYTES, value.length - NONCE_BYTES);
    } catch (GeneralSecurityException e) {
      return null;
    }
  }

  private Cipher cipher(int mode, String clientSecret, byte[] nonce, String redisKey) throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, new SecretKeySpec(hkdf(salt, clientSecret.getBytes(StandardCharsets.UTF_8), INFO, 32), "AES"),
        new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(redisKey.getBytes(StandardCharsets.UTF_8));
    return cipher;
  }

  /** HKDF-SHA256 extract-then-expand (RFC 5869), for up to 32 * 255 bytes. */
  static byte[] hkdf(byte[] salt, byte[] inputKeyMaterial, byte[] info, int length) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(salt.length == 0 ? new byte[32] : salt, "HmacSHA256"));
    byte[] pseudoRandomKey = mac.doFinal(inputKeyMaterial);
    mac.init(new SecretKeySpec(pseudoRandomKey, "HmacSHA256"));
    byte[] out = new byte[length];
    byte[] block = new byte[0];
    int written = 0;
    for (int counter = 1; written < length; counter++) {
      mac.update(block);
      mac.update(info);
      mac.update((byte) counter);
      block = mac.doFinal();
      int take = Math.min(block.length, length - written);
      System.arraycopy(block, 0, out, written, take);
      written += take;
    }
    return out;
  }
}
