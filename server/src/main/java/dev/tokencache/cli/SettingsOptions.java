package dev.tokencache.cli;

import dev.tokencache.config.ConfigKey;
import dev.tokencache.config.ConfigKeys;
import dev.tokencache.config.RawConfig;
import dev.tokencache.config.Settings;
import dev.tokencache.config.SettingsParser;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Adds one flag per configuration key to a command ({@code --upstream-token-url} for
 * {@code upstream.token-url}) and merges defaults, {@code --config FILE}, {@code TOKENCACHE_*} and flags.
 */
final class SettingsOptions {
  private SettingsOptions() {}

  /** Adds a flag for every key (for {@code serve}). */
  static void addTo(CommandSpec spec) {
    addTo(spec, key -> true);
  }

  /**
   * Adds a flag for each key {@code applies} to, so that {@code --help} lists only what the command reads. A key
   * without a flag can still be set in the file or the environment (where it is validated and otherwise ignored).
   */
  static void addTo(CommandSpec spec, java.util.function.Predicate<ConfigKey> applies) {
    spec.addOption(OptionSpec.builder("--config")
        .paramLabel("FILE")
        .type(Path.class)
        .description("YAML configuration file")
        .build());
    for (ConfigKey key : ConfigKeys.all()) {
      if (!applies.test(key)) {
        continue;
      }
      spec.addOption(OptionSpec.builder(key.flagName())
          .paramLabel(key.secret() ? "SECRET" : "VALUE")
          .type(String.class)
          // picocli reads descriptions as format strings: a literal % is written %%
          .description((key.description() + (key.defaultValue() == null ? "" : " (default: " + key.defaultValue() + ")")
              + "; env " + key.environmentName()).replace("%", "%%"))
          .build());
    }
  }

  /** The raw configuration this command line asks for. */
  static RawConfig raw(ParseResult parsed, Map<String, String> environment) {
    RawConfig raw = RawConfig.defaults();
    Path file = parsed.matchedOptionValue("--config", null);
    if (file != null) {
      raw.withYamlFile(file);
    }
    raw.withEnvironment(environment);
    Map<String, String> flags = new LinkedHashMap<>();
    for (ConfigKey key : ConfigKeys.all()) {
      if (!parsed.hasMatchedOption(key.flagName())) {
        continue;
      }
      String value = parsed.matchedOptionValue(key.flagName(), null);
      if (value != null) {
        flags.put(key.name(), value);
      }
    }
    return raw.withOverrides(flags);
  }

  /** Validated settings; throws {@link dev.tokencache.config.ConfigException} when they are not. */
  static Settings settings(ParseResult parsed, Map<String, String> environment) {
    return SettingsParser.parse(raw(parsed, environment));
  }
}
