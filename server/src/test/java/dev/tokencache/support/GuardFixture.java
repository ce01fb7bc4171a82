package dev.tokencache.support;

import dev.tokencache.edge.HttpEdge;
import dev.tokencache.guard.GuardServer;
import dev.tokencache.origin.SecretSources;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A guard on a free loopback port in front of {@code upstream}, accepting one secret from an env source. */
public final class GuardFixture {
  private GuardFixture() {}

  /** Starts it on {@code vertx} with {@code policy}; access lines go to {@code accessLines}. */
  public static GuardServer start(Vertx vertx, FakeUpstream upstream, String secret, Consumer<String> accessLines,
      HttpEdge.Policy policy) throws Exception {
    MutableClock clock = new MutableClock(Instant.now());
    var source = SecretSources.parse("env:ORIGIN", Map.of("ORIGIN", secret), Duration.ofMinutes(1),
        Duration.ofMinutes(10), clock).start(vertx).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return GuardServer.start(vertx, "127.0.0.1", 0, URI.create(upstream.server.url("/").toString()),
            "x-origin-verify", List.of(source), new SimpleMeterRegistry(), accessLines, clock, policy)
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Stops {@code guard}, then the Vert.x instance it ran on. */
  public static void stop(GuardServer guard, Vertx vertx) throws Exception {
    guard.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
