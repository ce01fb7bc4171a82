package dev.tokencache.origin;

import org.jspecify.annotations.Nullable;
import java.util.Objects;

/**
 * What one read of a secret source returned: the current value and, where the store keeps one (Secrets
 * Manager's {@code AWSPREVIOUS}), the previous value. {@code toString()} masks both.
 */
public record SecretVersions(String current, @Nullable String previous) {
  public SecretVersions {
    Objects.requireNonNull(current, "current");
    if (current.isEmpty()) {
      throw new IllegalArgumentException("the secret is empty");
    }
  }

  @Override
  public String toString() {
    return "SecretVersions[current=<masked>, previous=" + (previous == null ? "none" : "<masked>") + "]";
  }
}
