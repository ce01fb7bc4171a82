package dev.tokencache.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.Map;

/**
 * OpenTelemetry tracing, off unless the standard {@code OTEL_*} variables ask for it. When off, nothing is
 * allocated on the request path: callers check {@link #enabled()} first.
 *
 * <p>Spans: one {@code SERVER} span per token request (attribute {@code tokencache.cache.result}), one
 * {@code CLIENT} span per upstream exchange, child of the request that started it, with W3C trace context
 * ({@code traceparent}) sent upstream. Attributes never hold a secret, a token or a query string.
 */
public final class Tracing {
  /** Tracing turned off. */
  public static final Tracing OFF = new Tracing(OpenTelemetry.noop(), false);

  private final OpenTelemetry openTelemetry;
  private final boolean enabled;
  private final Tracer tracer;

  private Tracing(OpenTelemetry openTelemetry, boolean enabled) {
    this.openTelemetry = openTelemetry;
    this.enabled = enabled;
    this.tracer = openTelemetry.getTracer("dev.tokencache");
  }

  /** Tracing through the given SDK (tests use an in-memory exporter). */
  public static Tracing with(OpenTelemetry openTelemetry) {
    return new Tracing(openTelemetry, true);
  }

  /**
   * Tracing as the environment asks: on when {@code OTEL_TRACES_EXPORTER} names an exporter other than
   * {@code none}, or an OTLP endpoint is set, and {@code OTEL_SDK_DISABLED} is not {@code true}. The SDK then
   * reads every other {@code OTEL_*} variable itself; only traces are exported (metrics are on /metrics).
   */
  public static Tracing fromEnvironment(Map<String, String> environment) {
    if ("true".equalsIgnoreCase(environment.get("OTEL_SDK_DISABLED"))) {
      return OFF;
    }
    String exporter = environment.get("OTEL_TRACES_EXPORTER");
    boolean asked = (exporter != null && !exporter.isBlank() && !exporter.equalsIgnoreCase("none"))
        || environment.containsKey("OTEL_EXPORTER_OTLP_ENDPOINT")
        || environment.containsKey("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    if (!asked) {
      return OFF;
    }
    OpenTelemetry sdk = AutoConfiguredOpenTelemetrySdk.builder()
        // defaults only: every OTEL_* variable the operator sets wins. OTLP over HTTP by default, since the jar
        // carries the JDK HTTP sender and no gRPC one (the SDK's own default, grpc, would refuse to start)
        .addPropertiesSupplier(() -> Map.of(
            "otel.service.name", "tokencache",
            "otel.exporter.otlp.protocol", "http/protobuf",
            "otel.metrics.exporter", "none",
            "otel.logs.exporter", "none"))
        .build()
        .getOpenTelemetrySdk();
    return new Tracing(sdk, true);
  }

  public boolean enabled() {
    return enabled;
  }

  /** Starts a server span whose parent is the trace context the carrier's headers hold, if any. */
  public <C> Span startServer(String name, C carrier, TextMapGetter<C> getter) {
    Context parent = openTelemetry.getPropagators().getTextMapPropagator().extract(Context.root(), carrier, getter);
    return tracer.spanBuilder(name).setSpanKind(SpanKind.SERVER).setParent(parent).startSpan();
  }

  /** Starts a client span, child of the current context, and writes its trace context into the carrier. */
  public <C> Span startClient(String name, C carrier, TextMapSetter<C> setter) {
    Span span = tracer.spanBuilder(name).setSpanKind(SpanKind.CLIENT).startSpan();
    openTelemetry.getPropagators().getTextMapPropagator().inject(Context.current().with(span), carrier, setter);
    return span;
  }
}
