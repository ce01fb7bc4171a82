package dev.tokencache.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The CDK context parameters, validated once. Each problem is one line naming the parameter, its value and what
 * was expected; synthesis stops on the first list of problems.
 *
 * @param cognitoDomain the user pool's domain, e.g. {@code my-domain.auth.eu-west-1.amazoncognito.com}
 * @param userPoolArn the user pool the WAF WebACL is associated with
 * @param stageName the API Gateway stage
 * @param cacheTtlSeconds API Gateway cache TTL (0..3600)
 * @param cacheSizeGb API Gateway cache cluster size, one of the service's sizes (0.5 .. 237)
 * @param certificateArn the ACM certificate of the tokencache load balancer (stack 2 only; may be null)
 * @param metricsNamespace the CloudWatch namespace of tokencache's metrics (stack 2)
 * @param serviceName the {@code ServiceName} dimension, dashboard and alarm names (stack 2)
 * @param alarmTopicArn an SNS topic for the alarms, or null to create one (stack 2)
 * @param traceSampleRatio share of requests traced to X-Ray, "0" to "1" (stack 2)
 * @param adotCollectorImage the AWS Distro for OpenTelemetry collector image (stack 2)
 * @param userPools more user pools for stack 2, each served at {@code /<name>/oauth2/token} (may be empty)
 */
public record DeploySettings(String cognitoDomain, String userPoolArn, String stageName, int cacheTtlSeconds,
    String cacheSizeGb, String certificateArn, String metricsNamespace, String serviceName, String alarmTopicArn,
    String traceSampleRatio, String adotCollectorImage, List<UserPool> userPools) {

  /** A further user pool behind the tokencache stack, as tokencache's named upstream {@code name}. */
  public record UserPool(String name, String domain, String arn) {
    /** Its token endpoint. */
    public String tokenUrl() {
      return "https://" + domain + "/oauth2/token";
    }
  }

  private static final Pattern UPSTREAM_NAME = Pattern.compile("[a-z0-9-]{1,63}");

  static final String ADOT_COLLECTOR_IMAGE = "public.ecr.aws/aws-observability/aws-otel-collector:v0.47.0";
  private static final Pattern NAMESPACE = Pattern.compile("(?!AWS/)[A-Za-z0-9._/#:-]{1,255}");
  private static final Pattern SERVICE = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final Pattern TOPIC_ARN = Pattern.compile("arn:aws[a-z-]*:sns:[a-z0-9-]+:\\d{12}:[\\w-]{1,256}");

  /** The cache cluster sizes API Gateway offers, in GB. */
  static final List<String> CACHE_SIZES = List.of("0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237");

  private static final Pattern DOMAIN = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+");
  private static final Pattern POOL_ARN = Pattern.compile("arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\\d{12}:userpool/[\\w-]+_[0-9A-Za-z]+");
  private static final Pattern STAGE = Pattern.compile("[A-Za-z0-9_]{1,128}");
  private static final Pattern CERTIFICATE_ARN = Pattern.compile("arn:aws[a-z-]*:acm:[a-z0-9-]+:\\d{12}:certificate/[\\w-]+");

  /** Reads and checks the context; {@code lookup} returns a parameter's text or {@code null}. */
  public static DeploySettings from(Function<String, Object> lookup) {
    List<String> problems = new ArrayList<>();
    String domain = text(lookup, "cognito_domain");
    if (domain == null || !DOMAIN.matcher(domain).matches()) {
      problems.add("cognito_domain: " + domain + " (expected: the user pool's domain host, e.g. my-domain.auth.eu-west-1.amazoncognito.com)");
    }
    String pool = text(lookup, "cognito_user_pool_arn");
    if (pool == null || !POOL_ARN.matcher(pool).matches()) {
      problems.add("cognito_user_pool_arn: " + pool + " (expected: arn:aws:cognito-idp:REGION:ACCOUNT:userpool/REGION_ID)");
    }
    String stage = orDefault(text(lookup, "stage_name"), "prod");
    if (!STAGE.matcher(stage).matches()) {
      problems.add("stage_name: " + stage + " (expected: letters, digits and underscores)");
    }
    String ttlText = orDefault(text(lookup, "cache_ttl_seconds"), "3300");
    int ttl = -1;
    try {
      ttl = Integer.parseInt(ttlText);
    } catch (NumberFormatException e) {
      // reported below
    }
    if (ttl < 0 || ttl > 3600) {
      problems.add("cache_ttl_seconds: " + ttlText + " (expected: a whole number of seconds from 0 to 3600)");
    }
    String size = orDefault(text(lookup, "cache_size_gb"), "0.5");
    if (!CACHE_SIZES.contains(size)) {
      problems.add("cache_size_gb: " + size + " (expected: one of " + String.join(", ", CACHE_SIZES) + ")");
    }
    String certificate = text(lookup, "certificate_arn");
    if (certificate != null && !CERTIFICATE_ARN.matcher(certificate).matches()) {
      problems.add("certificate_arn: " + certificate + " (expected: arn:aws:acm:REGION:ACCOUNT:certificate/ID)");
    }
    String namespace = orDefault(text(lookup, "metrics_namespace"), "Tokencache");
    if (!NAMESPACE.matcher(namespace).matches()) {
      problems.add("metrics_namespace: " + namespace + " (expected: a CloudWatch namespace, not starting with AWS/)");
    }
    String service = orDefault(text(lookup, "service_name"), "tokencache");
    if (!SERVICE.matcher(service).matches()) {
      problems.add("service_name: " + service + " (expected: lower-case letters, digits and hyphens, at most 63)");
    }
    String topic = text(lookup, "alarm_topic_arn");
    if (topic != null && !TOPIC_ARN.matcher(topic).matches()) {
      problems.add("alarm_topic_arn: " + topic + " (expected: arn:aws:sns:REGION:ACCOUNT:NAME)");
    }
    String ratio = orDefault(text(lookup, "trace_sample_ratio"), "0.01");
    double parsedRatio = -1;
    try {
      parsedRatio = Double.parseDouble(ratio);
    } catch (NumberFormatException e) {
      // reported below
    }
    if (parsedRatio < 0 || parsedRatio > 1) {
      problems.add("trace_sample_ratio: " + ratio + " (expected: a share of requests from 0 to 1, e.g. 0.01)");
    }
    String image = orDefault(text(lookup, "adot_collector_image"), ADOT_COLLECTOR_IMAGE);
    List<UserPool> pools = new ArrayList<>();
    String listed = text(lookup, "user_pools");
    if (listed != null && !listed.isEmpty()) {
      for (String entry : listed.split(",")) {
        String[] parts = entry.trim().split("=", 3);
        if (parts.length != 3 || !UPSTREAM_NAME.matcher(parts[0]).matches() || "default".equals(parts[0])
            || !DOMAIN.matcher(parts[1]).matches() || !POOL_ARN.matcher(parts[2]).matches()
            || pools.stream().anyMatch(known -> known.name().equals(parts[0]))) {
          problems.add("user_pools: " + entry.trim() + " (expected: NAME=DOMAIN=USER_POOL_ARN, comma-separated; NAME of"
              + " a-z, 0-9 and -, unique, not default)");
        } else {
          pools.add(new UserPool(parts[0], parts[1], parts[2]));
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", problems));
    }
    return new DeploySettings(domain, pool, stage, ttl, size, certificate, namespace, service, topic, ratio, image,
        List.copyOf(pools));
  }

  /** The Cognito token endpoint behind both stacks. */
  public String tokenUrl() {
    return "https://" + cognitoDomain + "/oauth2/token";
  }

  /** The certificate, which the tokencache stack requires. */
  public String requiredCertificateArn() {
    if (certificateArn == null) {
      throw new IllegalArgumentException("certificate_arn: null (expected: an ACM certificate ARN for the tokencache load balancer)");
    }
    return certificateArn;
  }

  /** The user pool's region, from its ARN. */
  public String region() {
    return userPoolArn.split(":")[3];
  }

  private static String text(Function<String, Object> lookup, String name) {
    Object value = lookup.apply(name);
    return value == null ? null : value.toString().trim();
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isEmpty() ? fallback : value;
  }
}
