package dev.tokencache.cli;

import dev.tokencache.config.ConfigException;
import dev.tokencache.config.ConfigKeys;
import dev.tokencache.config.RawConfig;
import dev.tokencache.config.Settings;
import dev.tokencache.config.SettingsParser;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
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
    Map<String, String> printable = raw.printable();
    printable.forEach((name, value) -> {
      if (!name.startsWith(ConfigKeys.UPSTREAMS + ".")) {
        out.println("  " + name + " = " + value);
      }
    });
    for (Settings.NamedUpstream named : settings.upstreams()) {
      out.println("  upstream " + named.name() + " at " + named.route(settings.server().tokenPath()) + ":");
      String prefix = ConfigKeys.UPSTREAMS + "." + named.name() + ".";
      printable.forEach((name, value) -> {
        if (name.startsWith(prefix)) {
          out.println("    " + name.substring(prefix.length()) + " = " + value);
        }
      });
    }
    return 0;
  }
}
