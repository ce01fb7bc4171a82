package dev.tokencache.cli;

import org.jspecify.annotations.Nullable;
import dev.tokencache.observability.HealthCheck;
import dev.tokencache.origin.SecretSource;
import dev.tokencache.server.ProxyServer;
import java.util.List;

/** The readiness checks of {@code serve}. */
public final class Checks {
  private Checks() {}

  /** The token listener accepts requests; the cache backend and the upstream are usable (else: degraded). */
  public static List<HealthCheck> of(ProxyServer proxy) {
    return of(proxy, null);
  }

  /** As {@link #of(ProxyServer)}, and the origin secret's last read worked (when there is one). */
  public static List<HealthCheck> of(ProxyServer proxy, @Nullable SecretSource origin) {
    return of(proxy, origin, java.util.Map.of());
  }

  /**
   * As {@link #of(ProxyServer, SecretSource)}, with one {@code upstream} check per upstream ({@code upstream} for the
   * default one, {@code upstream:NAME} for named ones) and one check per named upstream's own origin secret.
   */
  public static List<HealthCheck> of(ProxyServer proxy, @Nullable SecretSource origin, java.util.Map<String, SecretSource> origins) {
    List<HealthCheck> checks = new java.util.ArrayList<>(List.of(
        HealthCheck.of("listener", () -> proxy.isAccepting() ? null : "shutting down"),
        // the memory backend never has a problem; Redis down only degrades (requests still succeed)
        HealthCheck.degraded("cache", () -> proxy.pipeline().sharedProblem().orElse(null))));
    // a failing authorization server degrades: valid tokens are still served, from the cache
    proxy.pipelines().forEach((name, pipeline) -> checks.add(HealthCheck.degraded(
        "default".equals(name) ? "upstream" : "upstream:" + name, () -> pipeline.upstreamProblem().orElse(null))));
    if (origin != null) {
      checks.add(HealthCheck.of("origin-secret", origin::problem));
    }
    origins.forEach((name, source) -> checks.add(HealthCheck.of("origin-secret:" + name, source::problem)));
    return checks;
  }
}
