package dev.tokencache.config;

import java.time.Duration;

/** Duration parsing for commands that take their own flags (issuer, demo), with the same syntax as settings. */
public final class ConfigValuesAccess {
  private ConfigValuesAccess() {}

  /**
   * @throws ConfigException naming the flag when the text is not a duration
   */
  public static Duration duration(String flag, String text) {
    Duration parsed = ConfigValues.duration(text);
    if (parsed == null) {
      throw new ConfigException(flag + ": " + text + " (expected: a duration such as 500ms, 2s, 10m or 1h)");
    }
    return parsed;
  }
}
