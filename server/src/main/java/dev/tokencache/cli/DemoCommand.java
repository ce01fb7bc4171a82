package dev.tokencache.cli;

import dev.tokencache.config.ConfigValuesAccess;
import dev.tokencache.demo.Demo;
import dev.tokencache.demo.DemoOptions;
import dev.tokencache.demo.DemoReport;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tokencache demo}: issuer + proxy + a fleet of clients on this machine, then a savings report; keeps
 * serving until Ctrl-C unless {@code --exit}. Exit status 1 when any fleet request failed.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start a local issuer and the proxy, drive a fleet of clients, report what the cache saved.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--apps", defaultValue = "100", description = "simulated applications (default: ${DEFAULT-VALUE})")
  int apps;

  @Option(names = "--token-lifetime", defaultValue = "30s", description = "token lifetime (default: ${DEFAULT-VALUE})")
  String lifetime;

  @Option(names = "--requests-per-lifetime", defaultValue = "12",
      description = "requests per application per token lifetime (default: ${DEFAULT-VALUE}, as in the AWS sample)")
  int perLifetime;

  @Option(names = "--duration", defaultValue = "60s", description = "how long the fleet runs (default: ${DEFAULT-VALUE})")
  String duration;

  @Option(names = {"--port", "--server-port"}, defaultValue = "0",
      description = "the proxy's port (default: any free port)")
  int port;

  @Option(names = "--exit", description = "stop after the report instead of serving until Ctrl-C")
  boolean exit;

  @Option(names = "--cost-per-1000", defaultValue = "2.25",
      description = "price of 1,000 token requests at the authorization server, USD (default: ${DEFAULT-VALUE}, "
          + "Cognito's M2M price)")
  double costPer1000;

  @Override
  public Integer call() throws Exception {
    DemoOptions options = new DemoOptions(apps, ConfigValuesAccess.duration("--token-lifetime", lifetime), perLifetime,
        ConfigValuesAccess.duration("--duration", duration), port, costPer1000);
    PrintStream out = System.out;
    Demo started;
    try {
      started = Demo.start(options);
    } catch (Exception e) {
      throw new ListenFailure("demo proxy listener", "127.0.0.1", port, e);
    }
    try (Demo demo = started) {
      out.printf("tokencache demo: issuer at %s, proxy at http://127.0.0.1:%d/oauth2/token%n",
          demo.issuer().issuer(), demo.proxyPort());
      out.printf("%d applications ask for a token every %d ms (token lifetime %ds) for %ds...%n",
          options.apps(), options.interval().toMillis(), options.tokenLifetime().toSeconds(),
          options.duration().toSeconds());
      DemoReport report = demo.run(out, System.console() != null);
      out.print(report.render());
      if (!exit) {
        out.println(demo.curlCommands());
        CountDownLatch interrupted = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(interrupted::countDown, "tokencache-demo-shutdown"));
        interrupted.await();
      }
      return report.failures() == 0 ? 0 : 1;
    }
  }
}
