package dev.tokencache.observability;

/** One readiness condition. {@link #check()} must be cheap and must not block. */
public interface HealthCheck {
  /** The check's name in {@code /health/ready}. */
  String name();

  /** {@code null} when healthy, else a short reason (never a secret). */
  String check();
}
