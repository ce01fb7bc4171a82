package dev.tokencache.config;

import java.nio.charset.StandardCharsets;

/** A secret setting. Its {@code toString()} never shows the value. */
public record Secret(String value) {
  public Secret {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("a secret must not be empty");
    }
  }

  public byte[] bytes() {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "<masked>";
  }
}
