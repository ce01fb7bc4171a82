package dev.tokencache.pipeline;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Requests sent to the upstream per second, over the last minute: sixty one-second buckets, reused in a ring.
 * Lock-free; an increment that races with a bucket's reset may be lost, which a rate for a dashboard tolerates.
 */
final class UpstreamRate {
  private static final int WINDOW = 60;
  private final AtomicLongArray counts = new AtomicLongArray(WINDOW);
  private final AtomicLongArray seconds = new AtomicLongArray(WINDOW);

  void record(Instant now) {
    long second = now.getEpochSecond();
    int slot = (int) Math.floorMod(second, (long) WINDOW);
    long held = seconds.get(slot);
    if (held != second && seconds.compareAndSet(slot, held, second)) {
      counts.set(slot, 0);
    }
    counts.incrementAndGet(slot);
  }

  /** Requests per second, averaged over the minute before {@code now}. */
  double perSecond(Instant now) {
    long second = now.getEpochSecond();
    long total = 0;
    for (int slot = 0; slot < WINDOW; slot++) {
      long held = seconds.get(slot);
      if (held > second - WINDOW && held <= second) {
        total += counts.get(slot);
      }
    }
    return total / (double) WINDOW;
  }
}
