package dev.tokencache.edge;

import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs one line when this process's open file descriptors pass 80 % of its limit, and one when they are back under
 * 70 %: running out stops every listener from accepting and secret files from being read, with errors that do not
 * say why. Counted every 10 s on a worker thread (listing {@code /proc/self/fd} is not event-loop work).
 */
public final class DescriptorWatch {
  private static final Logger LOG = LoggerFactory.getLogger(DescriptorWatch.class);
  private static final long EVERY_MILLIS = 10_000;

  private final AtomicBoolean low = new AtomicBoolean();

  /** Not scheduled: {@link #start} schedules one; tests call {@link #check} by hand. */
  DescriptorWatch() {}

  /** Starts watching on {@code vertx}'s timers until it closes; returns the timer id. */
  public static long start(Vertx vertx) {
    DescriptorWatch watch = new DescriptorWatch();
    return vertx.setPeriodic(EVERY_MILLIS, id -> vertx.executeBlocking(() -> {
      watch.check(ConnectionLimit.FileDescriptors.open(), ConnectionLimit.FileDescriptors.limit());
      return null;
    }, false));
  }

  /** One count: {@code open} of {@code limit} descriptors in use ({@code open} is -1 when unknown). */
  void check(long open, long limit) {
    if (open < 0 || limit <= 0) {
      return;
    }
    if (open * 10 >= limit * 8 && low.compareAndSet(false, true)) {
      LOG.warn("file descriptors running low: {} of {} open (ulimit -n). At the limit no connection can be accepted "
          + "or opened and no secret file read; lower server.max-connections or raise the limit", open, limit);
    } else if (open * 10 < limit * 7 && low.compareAndSet(true, false)) {
      LOG.info("file descriptors back to {} of {} open", open, limit);
    }
  }

  /** Whether the last count was over the warning line (for tests). */
  boolean low() {
    return low.get();
  }
}
