package dev.tokencache.pipeline;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A token bucket of {@code rate} per second holding at most {@code burst}, kept as one number: the generic cell
 * rate algorithm (GCRA), the "theoretical arrival time" of the next request. Lock-free: one CAS per take.
 * Time is whatever nanosecond count the caller passes (the pipeline's clock), so tests move it.
 */
final class RateLimit {
  private final long intervalNanos;
  private final long toleranceNanos;
  private final AtomicLong theoreticalArrival = new AtomicLong(Long.MIN_VALUE);

  /** @param rate slots per second, > 0; @param burst slots available at once, ≥ 1 */
  RateLimit(double rate, long burst) {
    this.intervalNanos = Math.max(1, (long) (1_000_000_000L / rate));
    this.toleranceNanos = intervalNanos * (Math.max(1, burst) - 1);
  }

  /** Takes one slot at {@code now}: 0 when taken, else how many nanoseconds until one is free (nothing taken). */
  long tryTake(long now) {
    while (true) {
      long current = theoreticalArrival.get();
      long base = Math.max(current, now);
      long wait = base - toleranceNanos - now;
      if (wait > 0) {
        return wait;
      }
      if (theoreticalArrival.compareAndSet(current, base + intervalNanos)) {
        return 0;
      }
    }
  }

  /** Slots available at {@code now} (for the budget gauge). */
  long available(long now) {
    long base = Math.max(theoreticalArrival.get(), now);
    long used = (base - now + intervalNanos - 1) / intervalNanos;
    return Math.max(0, toleranceNanos / intervalNanos + 1 - used);
  }

  /** How long an untouched bucket takes to fill up again: after that it is as good as a new one. */
  long refillNanos() {
    return toleranceNanos + intervalNanos;
  }
}
