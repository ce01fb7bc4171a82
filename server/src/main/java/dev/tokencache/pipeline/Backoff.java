package dev.tokencache.pipeline;

import java.time.Duration;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * How long a key (or the upstream) waits after failures before the next upstream request: {@code upstream.backoff}
 * after the first, doubling after each further one, with jitter so that keys that failed together do not retry
 * together, never longer than {@code upstream.backoff-max}. A {@code Retry-After} from the upstream lengthens the
 * wait to what it asks, capped at {@code upstream.backoff-max}.
 *
 * <p>Step {@code n} (the n-th failure in a row) waits a uniformly drawn time in {@code [d, 1.5 d)} with
 * {@code d = backoff · 2^(n-1)}; once that would pass the maximum, in {@code [0.75 max, max]}. Never less than
 * {@code backoff}.
 */
final class Backoff {
  private final Duration base;
  private final Duration max;
  private final DoubleSupplier random;

  /** @param random uniform in [0, 1): {@code ThreadLocalRandom} in production, a fixed value in tests */
  Backoff(Duration base, Duration max, DoubleSupplier random) {
    this.base = base;
    this.max = max;
    this.random = random;
  }

  /** The wait after the {@code failures}-th failure in a row (1 for the first). */
  Duration delay(int failures, Optional<Duration> retryAfter) {
    long baseNanos = base.toNanos();
    long maxNanos = max.toNanos();
    int doublings = Math.min(Math.max(failures, 1) - 1, 40);
    double nominal = baseNanos * Math.pow(2, doublings);
    double jittered = nominal * (1 + 0.5 * random.getAsDouble());
    long nanos = jittered < maxNanos ? (long) jittered : (long) (maxNanos * (1 - 0.25 * random.getAsDouble()));
    nanos = Math.max(Math.min(baseNanos, maxNanos), Math.min(nanos, maxNanos));
    Duration delay = Duration.ofNanos(nanos);
    if (retryAfter.isPresent()) {
      Duration asked = retryAfter.get().compareTo(max) > 0 ? max : retryAfter.get();
      if (asked.compareTo(delay) > 0) {
        return asked;
      }
    }
    return delay;
  }

  Duration max() {
    return max;
  }
}
