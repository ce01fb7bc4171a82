package dev.tokencache.observability;

/** One readiness condition. {@link #check()} must be cheap and must not block. */
public interface HealthCheck {
  /** The check's name in {@code /health/ready}. */
  String name();

  /** {@code null} when healthy, else a short reason (never a secret). */
  String check();

  /**
   * Whether a failure makes the instance not ready (503). A non-critical failure shows as {@code DEGRADED}
   * and keeps readiness up: the instance still answers correctly, only less efficiently.
   */
  default boolean critical() {
    return true;
  }

  /** A critical check: its failure makes the instance not ready. */
  static HealthCheck of(String name, java.util.function.Supplier<String> probe) {
    return new Probe(name, probe, true);
  }

  /** A check whose failure only degrades readiness (the instance stays ready). */
  static HealthCheck degraded(String name, java.util.function.Supplier<String> probe) {
    return new Probe(name, probe, false);
  }

  /** A named probe. */
  record Probe(String name, java.util.function.Supplier<String> probe, boolean critical) implements HealthCheck {
    @Override
    public String check() {
      return probe.get();
    }
  }
}
