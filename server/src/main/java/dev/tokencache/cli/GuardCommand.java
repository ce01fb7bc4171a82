package dev.tokencache.cli;

import dev.tokencache.config.ConfigException;
import dev.tokencache.config.ConfigKeys;
import dev.tokencache.config.Settings;
import dev.tokencache.edge.ConnectionLimit;
import dev.tokencache.edge.DescriptorWatch;
import dev.tokencache.edge.HttpEdge;
import dev.tokencache.guard.GuardServer;
import dev.tokencache.observability.AdminServer;
import dev.tokencache.observability.HealthCheck;
import dev.tokencache.observability.Observability;
import dev.tokencache.origin.SecretSource;
import dev.tokencache.origin.SecretSources;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code tokencache guard}: the origin guard in front of a self-hosted authorization server. Listens on
 * {@code server.host}/{@code server.port}; serves {@code admin.port} like {@code serve}.
 */
@Command(name = "guard", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run the origin guard in front of a self-hosted authorization server.")
final class GuardCommand implements Callable<Integer> {
  /** The settings the guard reads: the only ones its {@code --help} lists as flags. */
  static final java.util.Set<String> KEYS = java.util.Set.of(ConfigKeys.SERVER_HOST, ConfigKeys.SERVER_PORT,
      ConfigKeys.SERVER_MAX_CONNECTIONS, ConfigKeys.SERVER_HEADER_TIMEOUT, ConfigKeys.SERVER_IDLE_TIMEOUT, ConfigKeys.ORIGIN_HEADER,
      ConfigKeys.ORIGIN_SECRET, ConfigKeys.ORIGIN_POLL_INTERVAL, ConfigKeys.ADMIN_PORT, ConfigKeys.LOG_ACCESS,
      ConfigKeys.GUARD_TARGET_URL, ConfigKeys.GUARD_SECRETS, ConfigKeys.GUARD_PREVIOUS_GRACE);

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Settings settings = SettingsOptions.settings(spec.commandLine().getParseResult(), System.getenv());
    Settings.Guard guard = settings.guard();
    guard.requiredTargetUrl();
    if (guard.secrets().isEmpty()) {
      throw new ConfigException(ConfigKeys.GUARD_SECRETS
          + ": (expected: at least one secret source; set guard.secrets or origin.secret)");
    }
    Vertx vertx = Vertx.vertx();
    Observability observability = Observability.create(settings.log(), System.out);
    PrometheusMeterRegistry registry = observability.registry();
    GuardServer server;
    AdminServer admin;
    List<SecretSource> sources = new ArrayList<>();
    try {
      for (String spec : guard.secrets()) {
        sources.add(Blocking.await(SecretSources.parse(spec, System.getenv(), settings.origin().pollInterval(),
            guard.previousGrace(), InstantSource.system()).start(vertx)));
      }
      server = Blocking.await(GuardServer.start(vertx, settings.server().host(), settings.server().port(),
          guard.requiredTargetUrl(), settings.origin().header(), sources, registry, observability.accessLines(),
          InstantSource.system(), new HttpEdge.Policy(settings.server().headerTimeout(), settings.server().idleTimeout(),
              ConnectionLimit.of("guard listener", settings.server().maxConnections()))));
      DescriptorWatch.start(vertx);
      List<HealthCheck> checks = new ArrayList<>();
      for (SecretSource source : sources) {
        checks.add(HealthCheck.of("secret " + source, source::problem));
      }
      admin = settings.admin().port() == 0 ? null
          : Blocking.await(AdminServer.start(vertx, settings.server().host(), settings.admin().port(), registry, checks));
    } catch (Exception e) {
      Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
      spec.commandLine().getErr().println("tokencache: cannot start the guard: " + cause.getMessage());
      vertx.close();
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.stop().eventually(() -> admin == null ? Future.succeededFuture() : admin.stop()).await(15, TimeUnit.SECONDS);
      } catch (Exception e) {
        // exiting anyway
      }
      try {
        // closed on its own, not chained to a future of one of its event loops: that future's completion would be
        // handed to a loop that has just terminated (RejectedExecutionException) and never arrive
        vertx.close().await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // exiting anyway
      }
      stopped.countDown();
    }, "tokencache-guard-shutdown"));
    stopped.await();
    return 0;
  }
}
