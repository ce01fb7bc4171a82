package dev.tokencache.demo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Durations of one kind of answer, in nanoseconds, with nearest-rank percentiles. Thread-safe. */
final class Latencies {
  private final List<Long> nanos = new ArrayList<>();

  synchronized void add(long value) {
    nanos.add(value);
  }

  synchronized int count() {
    return nanos.size();
  }

  /** The {@code p}-th percentile (0 < p <= 100) in milliseconds, or NaN when empty. */
  synchronized double percentileMillis(double p) {
    if (nanos.isEmpty()) {
      return Double.NaN;
    }
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1)) / 1_000_000.0;
  }
}
