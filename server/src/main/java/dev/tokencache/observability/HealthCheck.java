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
}
