package dev.tokencache.cli;

import dev.tokencache.config.Settings;
import dev.tokencache.server.ProxyServer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.InstantSource;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tokencache serve}: runs the proxy until SIGTERM or SIGINT, then stops accepting and lets in-flight
 * requests finish within {@code server.shutdown-grace}.
 */
@Command(name = "serve", description = "Run the token proxy.", sortOptions = false, mixinStandardHelpOptions = true)
final class ServeCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Settings settings = SettingsOptions.settings(spec.commandLine().getParseResult(), System.getenv());
    settings.upstream().requiredTokenUrl();
    int loops = settings.server().eventLoops() > 0
        ? settings.server().eventLoops()
        : Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
    ProxyServer proxy;
    try {
      proxy = ProxyServer.start(vertx, settings, InstantSource.system())
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      spec.commandLine().getErr().println("tokencache: cannot start: " + cause.getMessage());
      vertx.close();
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("shutting down: finishing in-flight requests (up to {} ms)", settings.server().shutdownGrace().toMillis());
      try {
        proxy.stop().eventually(vertx::close).toCompletionStage().toCompletableFuture()
            .get(settings.server().shutdownGrace().toMillis() + 5_000, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        LOG.warn("shutdown did not finish cleanly: {}", e.toString());
      }
      stopped.countDown();
    }, "tokencache-shutdown"));
    stopped.await();
    return 0;
  }
}
