package dev.tokencache.config;

import org.jspecify.annotations.Nullable;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for the textual forms of durations ({@code 500ms}, {@code 2s}, {@code 10m}) and sizes ({@code 16KiB}). */
public final class ConfigValues {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)?");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|KiB|MB|MiB|GB|GiB|k|K|m|M|g|G)?");

  private ConfigValues() {}

  /** Returns the duration, or {@code null} when the text is not one. A bare number means seconds. */
  static @Nullable Duration duration(String text) {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return null;
    }
    long amount;
    try {
      amount = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      return null;
    }
    String unit = m.group(2) == null ? "s" : m.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }

  /** Returns the size in bytes, or {@code -1} when the text is not one. KB and KiB both mean 1024. */
  /** A URL with any user information ({@code user:password@}) replaced by {@code <masked>}; other text as it is. */
  public static String maskUserInfo(String value) {
    return value.replaceAll("(?<=://)[^/@\\s]+@", "<masked>@");
  }

  static long size(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      return -1;
    }
    long amount;
    try {
      amount = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      return -1;
    }
    String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
    long factor = switch (unit) {
      case "B" -> 1L;
      case "KB", "KIB", "K" -> 1024L;
      case "GB", "GIB", "G" -> 1024L * 1024L * 1024L;
      default -> 1024L * 1024L;
    };
    return Math.multiplyExact(amount, factor);
  }
}
