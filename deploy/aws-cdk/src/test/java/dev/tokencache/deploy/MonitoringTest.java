package dev.tokencache.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** Stack 2's metrics and trace pipeline, dashboard and alarms, as synthesized. */
class MonitoringTest {
  private final Template template = Synthesized.TOKENCACHE_TEMPLATE;

  @Test
  void theCollectorRunsBesideTokencacheWithItsConfigurationAndTokencacheSendsItSpans() {
    template.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of("ContainerDefinitions", Match.arrayWith(List.of(
        Match.objectLike(Map.of(
            "Image", DeploySettings.ADOT_COLLECTOR_IMAGE,
            "Essential", false,
            "Environment", Match.arrayWith(List.of(Match.objectLike(Map.of("Name", "AOT_CONFIG_CONTENT"))))))))));
    for (Map.Entry<String, String> variable : Map.of(
        "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318",
        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
        "OTEL_TRACES_SAMPLER", "parentbased_traceidratio",
        "OTEL_TRACES_SAMPLER_ARG", "0.01").entrySet()) {
      template.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of("ContainerDefinitions", Match.arrayWith(List.of(
          Match.objectLike(Map.of("Environment", Match.arrayWith(List.of(
              Map.of("Name", variable.getKey(), "Value", variable.getValue())))))))));
    }
    String json = template.toJSON().toString();
    assertThat(json).contains("CacheHitCount", "metricstransform", "awsemf", "awsxray", "Tokencache");
  }

  @Test
  void theTaskRoleMayWriteOnlyTheMetricsLogGroupAndXRay() {
    template.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Map.of("Statement", Match.arrayWith(
        List.of(Match.objectLike(Map.of(
            "Sid", "WriteEmbeddedMetricFormat",
            "Action", List.of("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"),
            "Resource", Match.arrayWith(List.of(Match.objectLike(Map.of("Fn::GetAtt",
                Match.arrayWith(List.of(Match.stringLikeRegexp("MonitoringMetricsLogs.*"))))))))))))));
    template.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Map.of("Statement", Match.arrayWith(
        List.of(Match.objectLike(Map.of(
            "Sid", "WriteXRayTraces",
            "Action", List.of("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"),
            "Resource", "*")))))));
    String json = template.toJSON().toString();
    assertThat(json).doesNotContain("cloudwatch:PutMetricData", "logs:*", "xray:*");
    template.hasResourceProperties("AWS::Logs::LogGroup", Map.of("LogGroupName", "/tokencache/tokencache/metrics"));
  }

  @Test
  void threeAlarmsNotifyTheTopic() {
    template.resourceCountIs("AWS::CloudWatch::Alarm", 3);
    template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
        "AlarmName", "tokencache-upstream-failing",
        "MetricName", "UpstreamFailing", "Namespace", "Tokencache", "Statistic", "Maximum",
        "Threshold", 1, "EvaluationPeriods", 3, "ComparisonOperator", "GreaterThanOrEqualToThreshold",
        "AlarmActions", List.of(Match.objectLike(Map.of("Ref", Match.stringLikeRegexp("MonitoringAlarmTopic.*"))))));
    template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
        "AlarmName", "tokencache-5xx-ratio", "Threshold", 5, "EvaluationPeriods", 5,
        "ComparisonOperator", "GreaterThanThreshold",
        "Metrics", Match.arrayWith(List.of(
            Match.objectLike(Map.of("Expression", "IF(requests > 0, 100 * errors / requests, 0)")),
            Match.objectLike(Map.of("Id", "errors", "MetricStat", Match.objectLike(Map.of("Metric",
                Match.objectLike(Map.of("MetricName", "5XXError", "Namespace", "Tokencache"))))))))));
    template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
        "AlarmName", "tokencache-no-healthy-task", "MetricName", "HealthyHostCount",
        "Namespace", "AWS/ApplicationELB", "Threshold", 1, "ComparisonOperator", "LessThanThreshold",
        "TreatMissingData", "breaching"));
    template.hasResourceProperties("AWS::SNS::Topic", Map.of("KmsMasterKeyId", Match.anyValue()));
  }

  @Test
  void theDashboardShowsTheSamplesFiguresAndTokencachesOwn() {
    template.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
    String body = template.findResources("AWS::CloudWatch::Dashboard").values().iterator().next().toString();
    assertThat(body).contains("Hit ratio", "CacheHitCount", "CacheMissCount", "Count", "Latency", "p99", "4XXError",
        "5XXError", "UpstreamFailures", "UpstreamFailing", "StaleAnswers", "NegativeAnswers", "BackoffAnswers",
        "LimitedAnswers", "HealthyHostCount", "UnHealthyHostCount", "SharedTierErrors");
  }

  @Test
  void anExistingTopicIsUsedWhenGiven() {
    DeploySettings given = DeploySettings.from(key -> key.equals("alarm_topic_arn")
        ? "arn:aws:sns:eu-west-1:123456789012:ops-alarms" : Synthesized.CONTEXT.get(key));
    assertThat(given.alarmTopicArn()).isEqualTo("arn:aws:sns:eu-west-1:123456789012:ops-alarms");
  }
}
