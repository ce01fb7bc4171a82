package dev.tokencache.cli;

import dev.tokencache.config.ConfigException;
import dev.tokencache.config.ConfigKey;
import dev.tokencache.config.ConfigKeys;
import dev.tokencache.config.ConfigValues;
import dev.tokencache.config.RawConfig;
import dev.tokencache.config.Settings;
import dev.tokencache.config.SettingsParser;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tokencache check-config FILE}: validates a file (with the {@code TOKENCACHE_*} environment over it, as
 * {@code serve} would see it), prints every problem, or the effective configuration with secrets masked.
 */
@Command(name = "check-config", mixinStandardHelpOptions = true, description = "Validate a configuration file and print what is wrong.")
final class CheckConfigCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "YAML configuration file")
  Path file;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    RawConfig raw = RawConfig.defaults().withYamlFile(file).withEnvironment(System.getenv());
    Settings settings;
    try {
      settings = SettingsParser.parse(raw);
      settings.routes();
    } catch (ConfigException e) {
      e.problems().forEach(problem -> err.println(file + ": " + problem));
      return Main.CONFIG_ERROR;
    }
    out.println(file + ": OK");
    settings.cache().sizeWarning().ifPresent(warning -> out.println(file + ": warning: " + warning));
    for (ConfigKey key : ConfigKeys.all()) {
      String value = raw.get(key.name());
      if (value != null) {
        out.println("  " + key.name() + " = " + (key.secret() ? "<masked>" : ConfigValues.maskUserInfo(value)));
      }
    }
    for (Settings.NamedUpstream named : settings.upstreams()) {
      out.println("  upstream " + named.name() + " at " + named.route(settings.server().tokenPath()) + ":");
      for (String suffix : ConfigKeys.perUpstreamSuffixes()) {
        String value = raw.get(ConfigKeys.UPSTREAMS + "." + named.name() + "." + suffix);
        if (value != null) {
          boolean secret = ConfigKeys.perUpstream(suffix).map(ConfigKey::secret).orElse(false);
          out.println("    " + suffix + " = " + (secret ? "<masked>" : ConfigValues.maskUserInfo(value)));
        }
      }
    }
    return 0;
  }
}
