package dev.tokencache.edge;

import io.vertx.core.http.HttpConnection;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The most client connections one listener holds at once, across its event loops. A connection over the limit is
 * closed as soon as it is accepted, so that a flood of idle or slow connections leaves the process the file
 * descriptors it needs for its upstream, its cache and its secret files. Reaching the limit is logged, at most once
 * a minute.
 */
public final class ConnectionLimit {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimit.class);
  private static final long WARN_EVERY_NANOS = 60_000_000_000L;
  /** Descriptors an automatic limit leaves to everything but client connections. */
  static final int RESERVED_DESCRIPTORS = 256;

  private final String listener;
  private final int max;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

  private ConnectionLimit(String listener, int max) {
    this.listener = listener;
    this.max = max;
  }

  /**
   * The limit of {@code listener} (named in the log line): {@code configured}, or when it is 0, what this process's
   * file-descriptor limit allows ({@link #automatic}).
   */
  public static ConnectionLimit of(String listener, int configured) {
    return new ConnectionLimit(listener, configured > 0 ? configured : automatic(FileDescriptors.limit()));
  }

  /**
   * The automatic limit for a process allowed {@code descriptors} open files: all but {@value #RESERVED_DESCRIPTORS},
   * and never less than half of them.
   */
  static int automatic(long descriptors) {
    long limit = Math.max(descriptors - RESERVED_DESCRIPTORS, descriptors / 2);
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, limit));
  }

  public int max() {
    return max;
  }

  /** Client connections open now. */
  public int open() {
    return open.get();
  }

  /**
   * Call from the server's connection handler: counts {@code connection} until it closes, or closes it at once when
   * the limit is reached. Returns whether it was admitted; {@code onClose} runs when an admitted one closes (the
   * connection has one close handler, and this takes it).
   */
  public boolean admit(HttpConnection connection, Runnable onClose) {
    if (open.incrementAndGet() > max) {
      open.decrementAndGet();
      refused.incrementAndGet();
      warn();
      connection.close();
      return false;
    }
    connection.closeHandler(closed -> {
      open.decrementAndGet();
      onClose.run();
    });
    return true;
  }

  private void warn() {
    long last = lastWarning.get();
    long now = System.nanoTime();
    if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
      LOG.warn("{}: {} connections open, the limit (server.max-connections={}); closing new connections at once "
          + "({} so far). Raise the limit or the file-descriptor limit (ulimit -n {}), or look for clients holding "
          + "idle connections", listener, max, max, refused.get(), FileDescriptors.limit());
    }
  }

  /** This process's file descriptors, from the JVM's operating-system bean (Unix); unknown elsewhere. */
  public static final class FileDescriptors {
    private FileDescriptors() {}

    /** The most files this process may open, or a large number when unknown. */
    public static long limit() {
      return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix
          ? unix.getMaxFileDescriptorCount()
          : 65_536;
    }

    /** Files open now, or -1 when unknown. */
    public static long open() {
      return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix
          ? unix.getOpenFileDescriptorCount()
          : -1;
    }
  }
}
