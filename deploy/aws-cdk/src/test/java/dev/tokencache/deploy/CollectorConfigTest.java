package dev.tokencache.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ADOT collector configuration: what is scraped, what each CloudWatch metric is made of, where it goes. */
class CollectorConfigTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private final JsonNode config = read();

  private static JsonNode read() {
    try {
      return YAML.readTree(TokenCacheMonitoring.collectorConfig("Tokencache", "/tokencache/svc/metrics", "svc"));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** new_name → the transform that makes it. */
  private Map<String, JsonNode> transforms() {
    Map<String, JsonNode> byName = new HashMap<>();
    config.at("/processors/metricstransform/transforms").forEach(t -> byName.put(t.get("new_name").asText(), t));
    return byName;
  }

  @Test
  void theSamplesApiGatewayFiguresAreMappedFromTokencachesSeries() {
    Map<String, JsonNode> transforms = transforms();

    assertThat(transforms.get("CacheHitCount").at("/experimental_match_labels/result").asText()).isEqualTo("^hit$");
    assertThat(transforms.get("CacheMissCount").at("/experimental_match_labels/result").asText())
        .isEqualTo("^(miss|refresh)$");
    assertThat(transforms.get("Count").get("include").asText()).isEqualTo("^tokencache_requests(_total)?$");
    assertThat(transforms.get("Count").has("experimental_match_labels")).isFalse();
    assertThat(transforms.get("Latency").get("include").asText()).isEqualTo("^tokencache_request_duration_seconds$");
    assertThat(transforms.get("4XXError").at("/experimental_match_labels/status").asText()).isEqualTo("^4..$");
    assertThat(transforms.get("5XXError").at("/experimental_match_labels/status").asText()).isEqualTo("^5..$");
    assertThat(transforms.get("UpstreamFailing").at("/experimental_match_labels/state").asText())
        .isEqualTo("^(failing|paused)$");
    for (JsonNode transform : transforms.values()) {
      assertThat(transform.get("action").asText()).as(transform.toString()).isEqualTo("insert");
      assertThat(transform.get("match_type").asText()).isEqualTo("regexp");
      for (JsonNode operation : transform.path("operations")) {
        assertThat(operation.get("label_set")).as("aggregated down to the upstream dimension").hasSize(1);
        assertThat(operation.at("/label_set/0").asText()).isEqualTo("upstream");
      }
    }
  }

  @Test
  void everyMappedMetricIsExportedWithOnlyServiceAndUpstreamDimensions() {
    JsonNode emf = config.at("/exporters/awsemf");
    assertThat(emf.get("namespace").asText()).isEqualTo("Tokencache");
    assertThat(emf.get("log_group_name").asText()).isEqualTo("/tokencache/svc/metrics");
    JsonNode declaration = emf.at("/metric_declarations/0");
    assertThat(declaration.get("dimensions").toString()).isEqualTo("[[\"ServiceName\"],[\"ServiceName\",\"upstream\"]]");
    List<String> selected = new ArrayList<>();
    declaration.get("metric_name_selectors").forEach(s -> selected.add(s.asText()));
    assertThat(selected).containsExactlyInAnyOrderElementsOf(
        transforms().keySet().stream().map(name -> "^" + name + "$").toList());
    assertThat(config.at("/processors/resource/attributes/0/value").asText()).isEqualTo("svc");
  }

  @Test
  void itScrapesTheAdminPortAndDropsAnyClientIdLabel() {
    JsonNode scrape = config.at("/receivers/prometheus/config/scrape_configs/0");
    assertThat(scrape.at("/static_configs/0/targets/0").asText()).isEqualTo("127.0.0.1:9090");
    assertThat(scrape.get("scrape_interval").asText()).isEqualTo("60s");
    assertThat(scrape.get("metric_relabel_configs").toString()).contains("labeldrop", "client_id");
  }

  @Test
  void tracesGoFromLocalOtlpToXRayAndMetricsToEmf() {
    assertThat(config.at("/receivers/otlp/protocols/http/endpoint").asText()).isEqualTo("127.0.0.1:4318");
    assertThat(config.at("/service/pipelines/traces/exporters").toString()).isEqualTo("[\"awsxray\"]");
    assertThat(config.at("/service/pipelines/metrics/exporters").toString()).isEqualTo("[\"awsemf\"]");
    assertThat(config.at("/service/pipelines/metrics/processors").toString())
        .isEqualTo("[\"resource\",\"metricstransform\",\"batch/metrics\"]");
  }
}
