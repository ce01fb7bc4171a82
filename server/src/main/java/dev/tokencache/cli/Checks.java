package dev.tokencache.cli;

import dev.tokencache.observability.HealthCheck;
import dev.tokencache.server.ProxyServer;
import java.util.List;

/** The readiness checks of {@code serve}. */
public final class Checks {
  private Checks() {}

  /** The token listener accepts requests, and the cache backend is usable. */
  public static List<HealthCheck> of(ProxyServer proxy) {
    return List.of(
        check("listener", () -> proxy.isAccepting() ? null : "shutting down"),
        check("cache", () -> null)); // the in-memory backend cannot be unavailable
  }

  private static HealthCheck check(String name, java.util.function.Supplier<String> probe) {
    return new HealthCheck() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String check() {
        return probe.get();
      }
    };
  }
}
