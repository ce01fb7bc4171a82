package dev.tokencache.cli;

import dev.tokencache.config.Settings;
import dev.tokencache.edge.DescriptorWatch;
import dev.tokencache.observability.AdminServer;
import dev.tokencache.observability.Observability;
import dev.tokencache.origin.SecretSource;
import dev.tokencache.origin.SecretSources;
import dev.tokencache.server.ProxyServer;
import dev.tokencache.tracing.Tracing;
import io.vertx.core.Future;
import org.jspecify.annotations.Nullable;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code tokencache serve}: runs the proxy (and the admin listener unless {@code admin.port} is 0) until
 * SIGTERM or SIGINT, then drains for {@code server.drain} (readiness down, answers close their connections), stops
 * accepting and lets in-flight requests finish within {@code server.shutdown-grace}.
 */
@Command(name = "serve", description = "Run the token proxy.", sortOptions = false, mixinStandardHelpOptions = true)
final class ServeCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    dev.tokencache.config.RawConfig raw = SettingsOptions.raw(spec.commandLine().getParseResult(), System.getenv());
    Settings settings = dev.tokencache.config.SettingsParser.parse(raw);
    LOG.info("configuration: {}", raw.describe());
    List<Settings.NamedUpstream> routes = settings.routes();
    settings.cache().sizeWarning().ifPresent(warning -> LOG.warn("{}", warning));
    int loops = settings.server().eventLoops() > 0
        ? settings.server().eventLoops()
        : Runtime.getRuntime().availableProcessors();
    // Linux's epoll transport when its native library loads (it ships in the jar for x86_64 and aarch64), else NIO
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
    if (!vertx.isNativeTransportEnabled()) {
      Throwable why = vertx.unavailableNativeTransportCause();
      LOG.info("network transport: Java NIO (epoll unavailable: {})", why == null ? "not Linux" : why.getMessage());
    }
    Observability observability = Observability.create(settings.log(), System.out);
    ProxyServer proxy;
    AdminServer admin;
    try {
      @Nullable SecretSource origin = settings.origin().secretSource().isEmpty() ? null : Blocking.await(SecretSources.parse(
          settings.origin().secretSource().get(), System.getenv(), settings.origin().pollInterval(),
          settings.guard().previousGrace(), InstantSource.system()).start(vertx));
      // a named upstream with an origin secret source of its own gets it started too; the others share the top one
      Map<String, SecretSource> origins = new LinkedHashMap<>();
      for (Settings.NamedUpstream named : routes) {
        Optional<String> spec = named.origin().secretSource();
        if (spec.isPresent() && !spec.equals(settings.origin().secretSource())) {
          origins.put(named.name(), Blocking.await(SecretSources.parse(spec.get(), System.getenv(),
              named.origin().pollInterval(), settings.guard().previousGrace(), InstantSource.system()).start(vertx)));
        }
      }
      proxy = Blocking.await(ProxyServer.start(vertx, settings, InstantSource.system(), new ProxyServer.Extras(
          observability.requests(), observability.upstream(), Tracing.fromEnvironment(System.getenv()), origin,
          origins)));
      DescriptorWatch.start(vertx);
      // one request without credentials to each token endpoint: a wrong URL shows now, not at the first client
      proxy.pipelines().values().forEach(pipeline -> pipeline.probe());
      for (Settings.NamedUpstream named : routes) {
        observability.metrics().watch(named.name(),
            java.util.Objects.requireNonNull(proxy.pipelines().get(named.name()), named.name()),
            named.upstream().costPer1000(), named.upstream().quotaRps());
      }
      admin = settings.admin().port() == 0 ? null : Blocking.await(AdminServer.start(vertx, settings.server().host(),
          settings.admin().port(), observability.registry(), Checks.of(proxy, origin, origins)));
      if (admin != null) {
        LOG.info("admin listener (metrics, health) on port {}", admin.port());
      }
    } catch (Exception e) {
      Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
      spec.commandLine().getErr().println("tokencache: cannot start: " + cause.getMessage());
      vertx.close();
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("shutting down: draining for {} ms, then finishing in-flight requests (up to {} ms)",
          settings.server().drain().toMillis(), settings.server().shutdownGrace().toMillis());
      try {
        proxy.stop()
            .eventually(() -> admin == null ? Future.succeededFuture() : admin.stop())
            .eventually(vertx::close)
            .toCompletionStage().toCompletableFuture()
            .get(settings.server().drain().plus(settings.server().shutdownGrace()).toMillis() + 5_000,
                TimeUnit.MILLISECONDS);
        observability.close();
      } catch (Exception e) {
        LOG.warn("shutdown did not finish cleanly: {}", e.toString());
      }
      stopped.countDown();
    }, "tokencache-shutdown"));
    stopped.await();
    return 0;
  }
}
