package dev.tokencache.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.cloudwatch.GraphWidget;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.IWidget;
import software.amazon.awscdk.services.cloudwatch.MathExpression;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.SingleValueWidget;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.ecs.AwsLogDriverProps;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.ContainerDefinition;
import software.amazon.awscdk.services.ecs.LogDrivers;
import software.amazon.awscdk.services.ecs.patterns.ApplicationLoadBalancedFargateService;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sns.Topic;
import software.constructs.Construct;

/**
 * What the AWS sample's operators watched, for tokencache on ECS: metrics in CloudWatch under the sample's names,
 * traces in X-Ray, a dashboard and alarms.
 *
 * <ul>
 *   <li>An AWS Distro for OpenTelemetry collector runs as a sidecar in each task. It scrapes tokencache's
 *       Prometheus endpoint on the admin port once a minute and writes Embedded Metric Format to a log group of
 *       its own; CloudWatch turns that into metrics in {@code metrics_namespace} (default {@code Tokencache}),
 *       dimensions {@code ServiceName} and {@code upstream}. Its configuration is
 *       {@code adot-collector.yaml}, passed in {@code AOT_CONFIG_CONTENT}.
 *   <li>tokencache sends its spans over OTLP/HTTP to the collector on localhost, sampled at
 *       {@code trace_sample_ratio}; the collector sends them to X-Ray.
 *   <li>The task role may write to that one log group and to X-Ray, nothing more.
 *   <li>A dashboard, and three alarms to an SNS topic ({@code alarm_topic_arn}, or one created here, encrypted).
 * </ul>
 */
final class TokenCacheMonitoring extends Construct {
  static final String COLLECTOR_CONFIG = "adot-collector.yaml";

  final LogGroup metricsLogs;
  final ContainerDefinition collector;
  final Dashboard dashboard;
  final ITopic alarmTopic;
  final List<Alarm> alarms = new ArrayList<>();
  private final String namespace;
  private final String serviceName;

  TokenCacheMonitoring(Construct scope, String id, ApplicationLoadBalancedFargateService service,
      DeploySettings settings, LogGroup containerLogs) {
    super(scope, id);
    this.namespace = settings.metricsNamespace();
    this.serviceName = settings.serviceName();

    metricsLogs = LogGroup.Builder.create(this, "MetricsLogs")
        .logGroupName("/tokencache/" + serviceName + "/metrics")
        .retention(RetentionDays.ONE_WEEK)
        .removalPolicy(RemovalPolicy.DESTROY)
        .build();
    collector = service.getTaskDefinition().addContainer("AdotCollector", ContainerDefinitionOptions.builder()
        .image(ContainerImage.fromRegistry(settings.adotCollectorImage()))
        .essential(false) // tokencache keeps answering if the collector stops
        .memoryReservationMiB(128)
        .environment(Map.of("AOT_CONFIG_CONTENT",
            collectorConfig(namespace, metricsLogs.getLogGroupName(), serviceName)))
        .logging(LogDrivers.awsLogs(AwsLogDriverProps.builder().logGroup(containerLogs).streamPrefix("adot").build()))
        .build());
    ContainerDefinition tokencache = service.getTaskDefinition().getDefaultContainer();
    tokencache.addEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318");
    tokencache.addEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
    tokencache.addEnvironment("OTEL_SERVICE_NAME", serviceName);
    tokencache.addEnvironment("OTEL_TRACES_SAMPLER", "parentbased_traceidratio");
    tokencache.addEnvironment("OTEL_TRACES_SAMPLER_ARG", settings.traceSampleRatio());

    service.getTaskDefinition().addToTaskRolePolicy(PolicyStatement.Builder.create()
        .sid("WriteEmbeddedMetricFormat")
        .effect(Effect.ALLOW)
        .actions(List.of("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"))
        .resources(List.of(metricsLogs.getLogGroupArn(), metricsLogs.getLogGroupArn() + ":log-stream:*"))
        .build());
    service.getTaskDefinition().addToTaskRolePolicy(PolicyStatement.Builder.create()
        .sid("WriteXRayTraces")
        .effect(Effect.ALLOW)
        // X-Ray's write and sampling actions support no resource-level restriction
        .actions(List.of("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
            "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"))
        .resources(List.of("*"))
        .build());

    alarmTopic = settings.alarmTopicArn() != null
        ? Topic.fromTopicArn(this, "AlarmTopic", settings.alarmTopicArn())
        : createdTopic();
    SnsAction notify = new SnsAction(alarmTopic);

    Alarm upstreamFailing = Alarm.Builder.create(this, "UpstreamFailingAlarm")
        .alarmName(serviceName + "-upstream-failing")
        .alarmDescription("The authorization server has failed, or paused tokencache with 429/Retry-After, for 3 minutes."
            + " Clients with valid tokens are still served (stale). See docs/upstream-failures.md.")
        .metric(metric("UpstreamFailing", "Maximum"))
        .threshold(1)
        .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
        .evaluationPeriods(3)
        .datapointsToAlarm(3)
        .treatMissingData(TreatMissingData.NOT_BREACHING)
        .build();
    Alarm serverErrors = Alarm.Builder.create(this, "ServerErrorRatioAlarm")
        .alarmName(serviceName + "-5xx-ratio")
        .alarmDescription("More than 5 % of token requests answered 5xx for 5 minutes.")
        .metric(MathExpression.Builder.create()
            .expression("IF(requests > 0, 100 * errors / requests, 0)")
            .usingMetrics(Map.of("errors", metric("5XXError", "Sum"), "requests", metric("Count", "Sum")))
            .label("5xx %")
            .period(Duration.minutes(1))
            .build())
        .threshold(5)
        .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
        .evaluationPeriods(5)
        .datapointsToAlarm(5)
        .treatMissingData(TreatMissingData.NOT_BREACHING)
        .build();
    Alarm noHealthyTask = Alarm.Builder.create(this, "NoHealthyTaskAlarm")
        .alarmName(serviceName + "-no-healthy-task")
        .alarmDescription("No tokencache task passes the load balancer's readiness check: clients get 503.")
        .metric(service.getTargetGroup().getMetrics().healthyHostCount(
            software.amazon.awscdk.services.cloudwatch.MetricOptions.builder()
                .statistic("Minimum").period(Duration.minutes(1)).build()))
        .threshold(1)
        .comparisonOperator(ComparisonOperator.LESS_THAN_THRESHOLD)
        .evaluationPeriods(2)
        .datapointsToAlarm(2)
        .treatMissingData(TreatMissingData.BREACHING)
        .build();
    for (Alarm alarm : List.of(upstreamFailing, serverErrors, noHealthyTask)) {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
      alarms.add(alarm);
    }

    dashboard = Dashboard.Builder.create(this, "Dashboard")
        .dashboardName(serviceName)
        .widgets(List.of(
            List.<IWidget>of(
                graph("Hit ratio (%)", MathExpression.Builder.create()
                    .expression("IF(hits + misses > 0, 100 * hits / (hits + misses), 100)")
                    .usingMetrics(Map.of("hits", metric("CacheHitCount", "Sum"), "misses", metric("CacheMissCount", "Sum")))
                    .label("hit ratio").period(Duration.minutes(1)).build()),
                graph("Requests (per minute)", metric("Count", "Sum"), metric("CacheHitCount", "Sum"),
                    metric("CacheMissCount", "Sum")),
                graph("Latency (seconds)", metric("Latency", "p50"), metric("Latency", "p90"), metric("Latency", "p99"))),
            List.<IWidget>of(
                graph("4xx and 5xx answers", metric("4XXError", "Sum"), metric("5XXError", "Sum")),
                graph("Authorization server: requests and failures", metric("UpstreamRequests", "Sum"),
                    metric("UpstreamFailures", "Sum"), metric("UpstreamCallsAvoided", "Sum")),
                graph("Authorization server failing or paused (1 = yes)", metric("UpstreamFailing", "Maximum"),
                    metric("KeysOnHold", "Maximum"))),
            List.<IWidget>of(
                graph("Answers without the authorization server", metric("StaleAnswers", "Sum"),
                    metric("NegativeAnswers", "Sum"), metric("BackoffAnswers", "Sum"), metric("LimitedAnswers", "Sum")),
                graph("Load balancer targets", service.getTargetGroup().getMetrics().healthyHostCount(),
                    service.getTargetGroup().getMetrics().unhealthyHostCount()),
                graph("Redis (Valkey) shared tier errors: > 0 means degraded", metric("SharedTierErrors", "Sum")),
                SingleValueWidget.Builder.create().title("Tokens cached").metrics(List.of(metric("CacheEntries", "Maximum")))
                    .width(6).build())))
        .build();
  }

  /** The collector's configuration with the namespace, the log group and the service name filled in. */
  static String collectorConfig(String namespace, String logGroupName, String serviceName) {
    try (InputStream in = TokenCacheMonitoring.class.getResourceAsStream(COLLECTOR_CONFIG)) {
      if (in == null) {
        throw new IllegalStateException(COLLECTOR_CONFIG + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace("@NAMESPACE@", namespace)
          .replace("@LOG_GROUP@", logGroupName)
          .replace("@SERVICE@", serviceName);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ITopic createdTopic() {
    Key key = Key.Builder.create(this, "AlarmTopicKey")
        .description("tokencache alarm topic")
        .enableKeyRotation(true)
        .removalPolicy(RemovalPolicy.DESTROY)
        .build();
    key.grant(new ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*");
    return Topic.Builder.create(this, "AlarmTopic")
        .displayName("tokencache alarms")
        .masterKey(key)
        .enforceSsl(true)
        .build();
  }

  /** One of tokencache's metrics, across upstreams (dimension ServiceName only), per minute. */
  Metric metric(String name, String statistic) {
    return Metric.Builder.create()
        .namespace(namespace)
        .metricName(name)
        .dimensionsMap(Map.of("ServiceName", serviceName))
        .statistic(statistic)
        .period(Duration.minutes(1))
        .build();
  }

  private static GraphWidget graph(String title, IMetric... metrics) {
    return GraphWidget.Builder.create().title(title).left(List.of(metrics)).width(8).build();
  }
}
