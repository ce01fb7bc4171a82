package dev.tokencache.config;

import org.jspecify.annotations.Nullable;
import java.util.Locale;

/**
 * One setting (docs/configuration.md): its dotted name, its default (as text, or {@code null} for none) and
 * whether its value is secret (masked whenever the configuration is printed).
 */
public record ConfigKey(String name, @Nullable String defaultValue, boolean secret, String description) {

  /** {@code TOKENCACHE_} + the name in upper case with {@code _} for {@code .} and {@code -}. */
  public String environmentName() {
    return "TOKENCACHE_" + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** {@code --} + the name with {@code -} for {@code .}: {@code --upstream-token-url}. */
  public String flagName() {
    return "--" + name.replace('.', '-');
  }
}
