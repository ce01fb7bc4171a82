package dev.tokencache.observability;

import static dev.tokencache.support.Forms.basic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokencache.support.FakeUpstream;
import dev.tokencache.support.ProxyHarness;
import dev.tokencache.tracing.Tracing;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.api.common.AttributeKey;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Spans through the OpenTelemetry SDK's in-memory exporter, and the trace context the upstream receives. */
class TracingTest {
  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
      .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
      .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
      .build();
  private FakeUpstream upstream;
  private ProxyHarness proxy;

  @BeforeEach
  void start() throws Exception {
    upstream = new FakeUpstream();
    proxy = ProxyHarness.traced(upstream.tokenUrl(), Tracing.with(sdk));
  }

  @AfterEach
  void stop() throws Exception {
    proxy.close();
    upstream.close();
    sdk.close();
  }

  @Test
  void missHasServerSpanWithChildClientSpanAndUpstreamGetsTraceparent() throws Exception {
    upstream.enqueue(FakeUpstream.token("t", 3600));
    String incomingTrace = "0af7651916cd43dd8448eb211c80319c";
    proxy.post("grant_type=client_credentials&scope=a", "Authorization", basic("svc", "pw"),
        "traceparent", "00-" + incomingTrace + "-b7ad6b7169203331-01");
    proxy.post("grant_type=client_credentials&scope=a", "Authorization", basic("svc", "pw"));

    List<SpanData> finished = spans.getFinishedSpanItems();
    SpanData miss = serverSpans(finished).get(0);
    SpanData hit = serverSpans(finished).get(1);
    SpanData client = finished.stream().filter(s -> s.getKind() == SpanKind.CLIENT).findFirst().orElseThrow();
    RecordedRequest received = upstream.server.takeRequest(5, TimeUnit.SECONDS);

    assertThat(miss.getName()).isEqualTo("POST /oauth2/token");
    assertThat(miss.getTraceId()).isEqualTo(incomingTrace);
    assertThat(miss.getParentSpanId()).isEqualTo("b7ad6b7169203331");
    assertThat(miss.getAttributes().get(AttributeKey.stringKey("tokencache.cache.result"))).isEqualTo("miss");
    assertThat(miss.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);
    assertThat(hit.getAttributes().get(AttributeKey.stringKey("tokencache.cache.result"))).isEqualTo("hit");
    assertThat(client.getParentSpanId()).isEqualTo(miss.getSpanId());
    assertThat(client.getTraceId()).isEqualTo(incomingTrace);
    assertThat(client.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);
    assertThat(received.getHeader("traceparent")).isEqualTo("00-" + incomingTrace + "-" + client.getSpanId() + "-01");
    assertThat(finished).allSatisfy(span -> assertThat(span.getAttributes().toString()).doesNotContain("pw"));
  }

  @Test
  void tracingIsOffUnlessTheEnvironmentAsks() {
    assertThat(Tracing.fromEnvironment(Map.of()).enabled()).isFalse();
    assertThat(Tracing.fromEnvironment(Map.of("OTEL_TRACES_EXPORTER", "none")).enabled()).isFalse();
    assertThat(Tracing.fromEnvironment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318",
        "OTEL_SDK_DISABLED", "true")).enabled()).isFalse();
  }

  private static List<SpanData> serverSpans(List<SpanData> finished) {
    return finished.stream().filter(s -> s.getKind() == SpanKind.SERVER).toList();
  }

  @Test
  void theDocumentedOtlpEndpointAloneStartsTracingOverHttp() {
    // OTEL_EXPORTER_OTLP_ENDPOINT=... ./tokencache serve, as docs/metrics.md shows it: no protocol given
    dev.tokencache.tracing.Tracing tracing = dev.tokencache.tracing.Tracing.fromEnvironment(
        java.util.Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"));

    assertThat(tracing.enabled()).isTrue();
  }
}
