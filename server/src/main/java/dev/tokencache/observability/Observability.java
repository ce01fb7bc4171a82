package dev.tokencache.observability;

import org.jspecify.annotations.Nullable;
import dev.tokencache.config.Settings;
import dev.tokencache.http.RequestObserver;
import dev.tokencache.upstream.UpstreamListener;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * The metrics registry, the proxy's meters and the access log, made from the settings once at start-up.
 * The registry is owned here and handed to whoever needs it; nothing uses a global registry.
 */
public final class Observability implements AutoCloseable {
  private final PrometheusMeterRegistry registry;
  private final ProxyMetrics metrics;
  private final @Nullable AccessLog accessLog;
  private final JvmGcMetrics gc = new JvmGcMetrics();

  private Observability(PrometheusMeterRegistry registry, @Nullable AccessLog accessLog) {
    this.registry = registry;
    this.metrics = new ProxyMetrics(registry);
    this.accessLog = accessLog;
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  /** Builds what {@code settings.log()} asks for; the access log goes to {@code stdout} when it says so. */
  public static Observability create(Settings.Log log, OutputStream stdout) {
    AccessLog accessLog = null;
    if (log.accessToStdout()) {
      accessLog = new AccessLog(stdout);
    } else if (!log.accessOff()) {
      try {
        accessLog = new AccessLog(new FileOutputStream(log.access(), true));
      } catch (IOException e) {
        throw new UncheckedIOException("log.access: cannot open " + log.access(), e);
      }
    }
    return new Observability(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), accessLog);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public ProxyMetrics metrics() {
    return metrics;
  }

  /** Metrics, then the access log (when on). */
  public RequestObserver requests() {
    if (accessLog == null) {
      return metrics;
    }
    return record -> {
      metrics.completed(record);
      accessLog.completed(record);
    };
  }

  /** Where other components write their own JSON access lines; a no-op when the access log is off. */
  public java.util.function.Consumer<String> accessLines() {
    return accessLog == null ? line -> { } : accessLog::write;
  }

  public UpstreamListener upstream() {
    return metrics;
  }

  @Override
  public void close() throws InterruptedException {
    if (accessLog != null) {
      accessLog.close();
    }
    gc.close();
    registry.close();
  }
}
