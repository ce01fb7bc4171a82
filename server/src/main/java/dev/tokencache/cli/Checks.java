package dev.tokencache.cli;

import dev.tokencache.observability.HealthCheck;
import dev.tokencache.origin.SecretSource;
import dev.tokencache.server.ProxyServer;
import java.util.List;

/** The readiness checks of {@code serve}. */
public final class Checks {
  private Checks() {}

  /** The token listener accepts requests, and the cache backend is usable. */
  public static List<HealthCheck> of(ProxyServer proxy) {
    return of(proxy, null);
  }

  /** As {@link #of(ProxyServer)}, and the origin secret's last read worked (when there is one). */
  public static List<HealthCheck> of(ProxyServer proxy, SecretSource origin) {
    List<HealthCheck> checks = new java.util.ArrayList<>(List.of(
        check("listener", () -> proxy.isAccepting() ? null : "shutting down"),
        degradedOnly(check("cache", () -> proxy.cache().sharedTierProblem())))); // memory: always null
    if (origin != null) {
      checks.add(check("origin-secret", origin::problem));
    }
    return checks;
  }

  private static HealthCheck degradedOnly(HealthCheck check) {
    return new HealthCheck() {
      @Override
      public String name() {
        return check.name();
      }

      @Override
      public String check() {
        return check.check();
      }

      @Override
      public boolean critical() {
        return false;
      }
    };
  }

  static HealthCheck check(String name, java.util.function.Supplier<String> probe) {
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
