package dev.tokencache.upstream;

import org.jspecify.annotations.Nullable;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Removes a secret from text the proxy passes on: every occurrence becomes {@value #MARK}. */
final class Redaction {
  static final String MARK = "[redacted]";
  private static final byte[] MARK_BYTES = MARK.getBytes(StandardCharsets.US_ASCII);

  private Redaction() {}

  /** {@code text} without {@code secret}; as it is when the secret is {@code null} or empty, or not in it. */
  static @Nullable String of(@Nullable String text, @Nullable String secret) {
    return text == null || secret == null || secret.isEmpty() ? text : text.replace(secret, MARK);
  }

  /** {@code body} without the UTF-8 bytes of {@code secret}; the same array when there is nothing to remove. */
  static byte[] of(byte[] body, @Nullable String secret) {
    if (secret == null || secret.isEmpty()) {
      return body;
    }
    byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
    int at = indexOf(body, needle, 0);
    if (at < 0) {
      return body;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length);
    int from = 0;
    while (at >= 0) {
      out.write(body, from, at - from);
      out.writeBytes(MARK_BYTES);
      from = at + needle.length;
      at = indexOf(body, needle, from);
    }
    out.write(body, from, body.length - from);
    return out.toByteArray();
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = from; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
