package dev.tokencache.cli;

import dev.tokencache.config.ConfigException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tokencache}: the command line (README.md, docs/configuration.md). */
@Command(
    name = "tokencache",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "An OAuth2 token-caching proxy for client-credentials tokens.",
    subcommands = {ServeCommand.class, GuardCommand.class, IssuerCommand.class, DemoCommand.class, CheckConfigCommand.class,
        VersionCommand.class})
public final class Main implements Runnable {

  /** Exit status for an invalid configuration. */
  static final int CONFIG_ERROR = 2;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  private static picocli.CommandLine.Model.CommandSpec subcommand(CommandLine commandLine, String name) {
    return java.util.Objects.requireNonNull(commandLine.getSubcommands().get(name), name).getCommandSpec();
  }

  /** Runs the command line and returns its exit status. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine commandLine = new CommandLine(new Main());
    SettingsOptions.addTo(subcommand(commandLine, "serve"));
    SettingsOptions.addTo(subcommand(commandLine, "guard"),
        key -> GuardCommand.KEYS.contains(key.name()));
    commandLine.setOut(out).setErr(err);
    // a wrong flag or a stray argument: what is wrong and where help is, not the whole usage (100+ lines)
    commandLine.setParameterExceptionHandler((exception, arguments) -> {
      CommandLine command = exception.getCommandLine();
      err.println("tokencache: " + exception.getMessage());
      if (exception instanceof CommandLine.UnmatchedArgumentException unmatched) {
        CommandLine.UnmatchedArgumentException.printSuggestions(unmatched, err);
      }
      err.println("see: tokencache " + (command.getCommandName().equals("tokencache") ? "" : command.getCommandName() + " ")
          + "--help");
      return CONFIG_ERROR;
    });
    commandLine.setExecutionExceptionHandler((exception, line, parseResult) -> {
      if (exception instanceof ConfigException config) {
        config.problems().forEach(problem -> err.println("tokencache: " + problem));
        return CONFIG_ERROR;
      }
      // one line that says what is wrong, never a stack trace
      err.println("tokencache: " + ListenFailure.reason(exception));
      return exception instanceof IllegalArgumentException ? CONFIG_ERROR : 1;
    });
    return commandLine.execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
