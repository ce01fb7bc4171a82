package dev.tokencache.observability;

import org.jspecify.annotations.Nullable;
import dev.tokencache.http.RequestObserver;
import dev.tokencache.http.RequestRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One JSON line per request: {@code time, request_id, client_ip, method, path, upstream, status, cache,
 * duration_ms, upstream_ms, client_id, scope}. Built only from a {@link RequestRecord}, which holds no secret,
 * token or header value; the query string (which may carry credentials) is never logged.
 *
 * <p>Cheap on the request path: each thread (event loop) encodes its records straight into bytes in a buffer of its
 * own, under a lock nobody else takes except the writer every {@link #SWEEP_NANOS}; no object per field, no
 * hand-off, wake-up, system call or flush per record. A buffer that fills (64 KiB, a few hundred lines) is queued for
 * one daemon writer thread, which wakes every 100 ms to write the queued buffers, sweep the partly filled ones and
 * flush once per pass; so a line reaches the file within about 100 ms. Filling a buffer does not wake the writer
 * (on a busy core, a wake-up per buffer cost more than encoding its lines) until {@link #WAKE_AT} buffers wait, a
 * flood the 100 ms pass would leave too long. When the writer cannot keep up (more than {@link #MAX_PENDING} full
 * buffers waiting), lines are dropped and counted, never waited for. {@link #close()} writes everything queued.
 */
public final class AccessLog implements RequestObserver, AutoCloseable {
  static final int BUFFER_BYTES = 64 * 1024;
  static final int MAX_PENDING = 128;
  /** Full buffers waiting that wake the writer before its next pass: 1 MiB, a quarter of a second at 15,000 lines/s. */
  static final int WAKE_AT = 16;
  /**
   * Room a line almost always fits in: a buffer with less is handed off before encoding, so that the
   * {@link ArrayIndexOutOfBoundsException} fallback (costly: it fills in a stack trace) is taken only by a rare
   * line longer than this.
   */
  private static final int HEADROOM = 2048;
  private static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final DateTimeFormatter SECOND =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

  private final OutputStream out;
  private final Thread writer;
  private final ConcurrentLinkedQueue<Shard.Filled> full = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pending = new AtomicInteger();
  private final List<Shard> shards = new CopyOnWriteArrayList<>();
  private final ThreadLocal<Shard> shard = ThreadLocal.withInitial(this::newShard);
  private final AtomicLong dropped = new AtomicLong();
  /**
   * Buffers the writer has emptied, for the shards to fill again (64 KiB arrays are not worth re-zeroing): as many
   * as two of its wake-ups hand back, 2 MiB at most.
   */
  private final java.util.concurrent.ArrayBlockingQueue<byte[]> spare =
      new java.util.concurrent.ArrayBlockingQueue<>(2 * WAKE_AT);
  private volatile boolean closing;

  public AccessLog(OutputStream target) {
    this.out = target;
    this.writer = new Thread(this::drain, "tokencache-access-log");
    writer.setDaemon(true);
    writer.start();
  }

  private Shard newShard() {
    Shard created = new Shard();
    shards.add(created);
    return created;
  }

  /** Lines dropped because the writer could not keep up. */
  public long dropped() {
    return dropped.get();
  }

  @Override
  public void completed(RequestRecord record) {
    shard.get().append(record);
  }

  /** Queues one line that is already JSON (the guard's), without its newline. */
  public void write(String line) {
    shard.get().append(line.getBytes(StandardCharsets.UTF_8));
  }

  /** The JSON line for a record, without the newline (for tests and other callers that want one line). */
  static String format(RequestRecord record) {
    LineEncoder line = new LineEncoder(new byte[1024]);
    line.record(record);
    return new String(line.bytes, 0, line.length - 1, StandardCharsets.UTF_8);
  }

  /** One thread's buffer. Appends are uncontended; the writer takes the lock only to swap a partly filled one. */
  private final class Shard {
    /** A buffer handed to the writer. */
    record Filled(byte[] bytes, int length) {}

    private final LineEncoder line = new LineEncoder(new byte[BUFFER_BYTES]);

    synchronized void append(RequestRecord record) {
      if (line.bytes.length - line.length < HEADROOM && !handOff()) {
        return;
      }
      int mark = line.length;
      try {
        line.record(record);
      } catch (ArrayIndexOutOfBoundsException full) {
        line.length = mark;
        if (handOff() && line.length == 0) {
          try {
            line.record(record);
          } catch (ArrayIndexOutOfBoundsException tooLong) {
            line.length = 0; // a record larger than a whole buffer: not a sane one
            dropped.incrementAndGet();
          }
        }
      }
    }

    synchronized void append(byte[] json) {
      if (json.length + 1 > line.bytes.length - line.length && !handOff()) {
        return;
      }
      if (json.length + 1 > line.bytes.length) {
        dropped.incrementAndGet();
        return;
      }
      System.arraycopy(json, 0, line.bytes, line.length, json.length);
      line.length += json.length;
      line.bytes[line.length++] = '\n';
    }

    /**
     * Queues the filled buffer for the writer, waking it only when {@link #WAKE_AT} wait; false (and the line
     * dropped) when too many are waiting.
     */
    private boolean handOff() {
      if (pending.get() >= MAX_PENDING) {
        dropped.incrementAndGet();
        return false;
      }
      full.add(new Filled(line.bytes, line.length));
      if (pending.incrementAndGet() == WAKE_AT) {
        LockSupport.unpark(writer);
      }
      line.bytes = freshBuffer();
      line.length = 0;
      return true;
    }

    /** Takes what is buffered, for the writer's sweep; null when empty. */
    synchronized @Nullable Filled take() {
      if (line.length == 0) {
        return null;
      }
      Filled taken = new Filled(line.bytes, line.length);
      line.bytes = freshBuffer();
      line.length = 0;
      return taken;
    }
  }

  private byte[] freshBuffer() {
    byte[] reused = spare.poll();
    return reused == null ? new byte[BUFFER_BYTES] : reused;
  }

  /** Writes a buffer out and keeps it for reuse (the writer thread only). */
  private void writeOut(Shard.Filled filled) throws IOException {
    out.write(filled.bytes(), 0, filled.length());
    spare.offer(filled.bytes()); // dropped for the collector when the spare queue is full
  }

  private void drain() {
    long lastSweep = System.nanoTime();
    try {
      while (true) {
        boolean stopping = closing;
        Shard.Filled next;
        while ((next = full.poll()) != null) {
          pending.decrementAndGet();
          writeOut(next);
        }
        if (stopping || System.nanoTime() - lastSweep >= SWEEP_NANOS) {
          for (Shard each : shards) {
            Shard.Filled taken = each.take();
            if (taken != null) {
              writeOut(taken);
            }
          }
          out.flush();
          lastSweep = System.nanoTime();
          if (stopping) {
            return;
          }
        }
        LockSupport.parkNanos(SWEEP_NANOS);
      }
    } catch (IOException e) {
      // the target is gone (closed pipe); nothing sensible is left to do with access lines
    }
  }

  /** Writes what is queued and buffered, then stops the writer. */
  @Override
  public void close() throws InterruptedException {
    closing = true;
    LockSupport.unpark(writer);
    writer.join(5_000);
  }

  /**
   * Encodes records as JSON lines straight into a byte array. Throws {@link ArrayIndexOutOfBoundsException} when
   * the array is full (the caller rolls back to its mark).
   */
  static final class LineEncoder {
    private static final byte[] HEX = encoded("0123456789abcdef");
    /** The fixed parts of a line, encoded once. */
    private static final byte[] TIME = encoded("{\"time\":\"");
    private static final byte[] REQUEST_ID = encoded("\",\"request_id\":");
    private static final byte[] CLIENT_IP = encoded(",\"client_ip\":");
    private static final byte[] METHOD = encoded(",\"method\":");
    private static final byte[] PATH = encoded(",\"path\":");
    private static final byte[] UPSTREAM = encoded(",\"upstream\":");
    private static final byte[] STATUS = encoded(",\"status\":");
    private static final byte[] CACHE = encoded(",\"cache\":\"");
    private static final byte[] DURATION_MS = encoded("\",\"duration_ms\":");
    private static final byte[] UPSTREAM_MS = encoded(",\"upstream_ms\":");
    private static final byte[] CLIENT_ID = encoded(",\"client_id\":");
    private static final byte[] SCOPE = encoded(",\"scope\":");
    private static final byte[] END = encoded("}\n");
    private static final byte[] NULL = encoded("null");
    private static final byte[] ERROR = encoded(ProxyMetrics.ERROR);
    private static final byte[][] RESULTS = java.util.Arrays.stream(dev.tokencache.cache.CacheResult.values())
        .map(result -> encoded(result.label())).toArray(byte[][]::new);

    private static byte[] encoded(String text) {
      return text.getBytes(StandardCharsets.US_ASCII);
    }

    byte[] bytes;
    int length;
    private long cachedSecond = Long.MIN_VALUE;
    private final byte[] secondText = new byte[19];

    LineEncoder(byte[] bytes) {
      this.bytes = bytes;
    }

    void record(RequestRecord record) {
      raw(TIME);
      time(record.time());
      raw(REQUEST_ID);
      string(record.requestId());
      raw(CLIENT_IP);
      string(record.clientIp());
      raw(METHOD);
      string(record.method());
      raw(PATH);
      string(record.path());
      raw(UPSTREAM);
      string(record.upstream());
      raw(STATUS);
      number(record.status());
      raw(CACHE);
      raw(record.proxyError() ? ERROR : RESULTS[record.result().ordinal()]);
      raw(DURATION_MS);
      millis(record.durationNanos());
      raw(UPSTREAM_MS);
      if (record.upstreamNanos() >= 0) {
        millis(record.upstreamNanos());
      } else {
        raw(NULL);
      }
      raw(CLIENT_ID);
      string(record.clientId());
      raw(SCOPE);
      scopes(record.scopes());
      raw(END);
    }

    /** ISO-8601 UTC as {@link Instant#toString()} writes it; the date part formatted once per second. */
    private void time(Instant time) {
      long second = time.getEpochSecond();
      if (second != cachedSecond) {
        byte[] text = SECOND.format(time).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, secondText, 0, Math.min(text.length, secondText.length));
        cachedSecond = second;
      }
      System.arraycopy(secondText, 0, bytes, length, secondText.length);
      length += secondText.length;
      int nanos = time.getNano();
      if (nanos > 0) {
        bytes[length++] = '.';
        int last = nanos % 1_000_000 == 0 ? 100_000 : nanos % 1000 == 0 ? 100 : 0; // 3, 6 or 9 digits
        for (int divisor = 100_000_000; divisor > last; divisor /= 10) {
          bytes[length++] = (byte) ('0' + nanos / divisor % 10);
        }
      }
      bytes[length++] = 'Z';
    }

    /** Milliseconds with three decimals, from nanoseconds (microsecond resolution). */
    private void millis(long nanos) {
      long micros = nanos / 1000;
      number(micros / 1000);
      bytes[length++] = '.';
      long fraction = micros % 1000;
      bytes[length++] = (byte) ('0' + fraction / 100);
      bytes[length++] = (byte) ('0' + fraction / 10 % 10);
      bytes[length++] = (byte) ('0' + fraction % 10);
    }

    private void number(long value) {
      if (value < 0) {
        bytes[length++] = '-';
        value = -value;
      }
      long divisor = 1;
      while (value / divisor >= 10) {
        divisor *= 10;
      }
      for (; divisor > 0; divisor /= 10) {
        bytes[length++] = (byte) ('0' + value / divisor % 10);
      }
    }

    /** Throws {@link ArrayIndexOutOfBoundsException} when the array is full, like every other write here. */
    private void raw(byte[] part) {
      System.arraycopy(part, 0, bytes, length, part.length);
      length += part.length;
    }

    /** A JSON string (or null), escaped: quotes, backslashes and control characters; UTF-8 otherwise. */
    private void string(@Nullable String text) {
      if (text == null) {
        raw(NULL);
        return;
      }
      bytes[length++] = '"';
      characters(text);
      bytes[length++] = '"';
    }

    /** The canonical scope: the scopes joined by spaces, without building the joined string; null when none. */
    private void scopes(java.util.Collection<String> scopes) {
      if (scopes == null || scopes.isEmpty()) {
        raw(NULL);
        return;
      }
      bytes[length++] = '"';
      boolean first = true;
      for (String scope : scopes) {
        if (!first) {
          bytes[length++] = ' ';
        }
        characters(scope);
        first = false;
      }
      bytes[length++] = '"';
    }

    /** Most values are plain ASCII: copied in one call; anything else goes character by character. */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): exactly the low bytes, no allocation
    private void characters(String text) {
      int n = text.length();
      boolean plain = true;
      for (int i = 0; i < n && plain; i++) {
        char c = text.charAt(i);
        plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
      }
      if (plain) {
        if (length + n > bytes.length) {
          throw new ArrayIndexOutOfBoundsException(length + n);
        }
        text.getBytes(0, n, bytes, length);
        length += n;
        return;
      }
      for (int i = 0; i < n; i++) {
        char c = text.charAt(i);
        if (c == '"' || c == '\\') {
          bytes[length++] = '\\';
          bytes[length++] = (byte) c;
        } else if (c < 0x20 || c == 0x7f) {
          bytes[length++] = '\\';
          bytes[length++] = 'u';
          bytes[length++] = '0';
          bytes[length++] = '0';
          bytes[length++] = HEX[c >> 4 & 0xf];
          bytes[length++] = HEX[c & 0xf];
        } else if (c < 0x80) {
          bytes[length++] = (byte) c;
        } else {
          int end = Character.isHighSurrogate(c) && i + 1 < text.length() ? i + 2 : i + 1;
          byte[] utf8 = text.substring(i, end).getBytes(StandardCharsets.UTF_8);
          for (byte b : utf8) {
            bytes[length++] = b;
          }
          i = end - 1;
        }
      }
    }
  }
}
