package dev.tokencache.observability;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tokencache.http.RequestObserver;
import dev.tokencache.http.RequestRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One JSON line per request: {@code time, request_id, client_ip, method, path, upstream, status, cache,
 * duration_ms, upstream_ms, client_id, scope}. Built only from a {@link RequestRecord}, which holds no secret,
 * token or header value; the query string (which may carry credentials) is never logged.
 *
 * <p>Event loops only format and enqueue; one daemon thread writes, so a slow disk or pipe never blocks a
 * request. When the queue (8192 lines) is full, lines are dropped and counted rather than waited for.
 */
public final class AccessLog implements RequestObserver, AutoCloseable {
  private static final JsonFactory JSON = new JsonFactory();
  private static final int CAPACITY = 8192;

  private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(CAPACITY);
  private final Writer out;
  private final Thread writer;
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean closing;

  public AccessLog(OutputStream target) {
    this.out = new java.io.BufferedWriter(new java.io.OutputStreamWriter(target, StandardCharsets.UTF_8));
    this.writer = new Thread(this::drain, "tokencache-access-log");
    writer.setDaemon(true);
    writer.start();
  }

  /** Lines dropped because the writer could not keep up. */
  public long dropped() {
    return dropped.get();
  }

  @Override
  public void completed(RequestRecord record) {
    write(format(record));
  }

  /** Queues one line that is already JSON (the guard's), without its newline. */
  public void write(String line) {
    if (!lines.offer(line)) {
      dropped.incrementAndGet();
    }
  }

  /** The JSON line for a record (without the newline). */
  static String format(RequestRecord record) {
    StringWriter text = new StringWriter(256);
    try (JsonGenerator json = JSON.createGenerator(text)) {
      json.writeStartObject();
      json.writeStringField("time", record.time().toString());
      json.writeStringField("request_id", record.requestId());
      json.writeStringField("client_ip", record.clientIp());
      json.writeStringField("method", record.method());
      json.writeStringField("path", record.path());
      json.writeStringField("upstream", record.upstream());
      json.writeNumberField("status", record.status());
      json.writeStringField("cache", record.proxyError() ? ProxyMetrics.ERROR : record.result().label());
      json.writeNumberField("duration_ms", record.durationNanos() / 1e6);
      if (record.upstreamNanos() >= 0) {
        json.writeNumberField("upstream_ms", record.upstreamNanos() / 1e6);
      } else {
        json.writeNullField("upstream_ms");
      }
      json.writeStringField("client_id", record.clientId());
      json.writeStringField("scope", record.scope());
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  private void drain() {
    try {
      while (!closing || !lines.isEmpty()) {
        String line = lines.poll(200, TimeUnit.MILLISECONDS);
        if (line == null) {
          continue;
        }
        out.write(line);
        out.write('\n');
        if (lines.isEmpty()) {
          out.flush();
        }
      }
      out.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // the target is gone (closed pipe); nothing sensible is left to do with access lines
    }
  }

  /** Writes what is queued, then stops the writer. */
  @Override
  public void close() throws InterruptedException {
    closing = true;
    writer.join(5_000);
  }
}
