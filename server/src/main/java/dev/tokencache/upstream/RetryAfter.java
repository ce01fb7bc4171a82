package dev.tokencache.upstream;

import org.jspecify.annotations.Nullable;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** The {@code Retry-After} header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. */
public final class RetryAfter {
  private RetryAfter() {}

  /**
   * How long the header asks to wait, counted from {@code now}; empty when absent or unreadable. A date in
   * the past, or a negative number, reads as zero.
   */
  public static Optional<Duration> parse(@Nullable String header, Instant now) {
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    String value = header.trim();
    if (value.chars().allMatch(Character::isDigit)) {
      try {
        return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
      } catch (NumberFormatException e) {
        return Optional.of(Duration.ofSeconds(Long.MAX_VALUE / 1_000_000_000L)); // absurdly long: callers cap it
      }
    }
    try {
      Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** The header value for {@code delay}: whole seconds, rounded up, at least 1. */
  public static String format(Duration delay) {
    long seconds = delay.getSeconds() + (delay.getNano() > 0 ? 1 : 0);
    return Long.toString(Math.max(1, seconds));
  }
}
