package dev.tokencache.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeploySettingsTest {
  private static Map<String, Object> context(String key, Object value) {
    Map<String, Object> context = new HashMap<>(Synthesized.CONTEXT);
    context.put(key, value);
    return context;
  }

  @Test
  void everyParameterIsValidatedWithAClearMessage() {
    assertThatThrownBy(() -> DeploySettings.from(context("cache_size_gb", "2")::get))
        .hasMessage("cache_size_gb: 2 (expected: one of 0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237)");
    assertThatThrownBy(() -> DeploySettings.from(context("cache_ttl_seconds", "3601")::get))
        .hasMessageStartingWith("cache_ttl_seconds: 3601 (expected:");
    assertThatThrownBy(() -> DeploySettings.from(context("cognito_user_pool_arn", "pool")::get))
        .hasMessageStartingWith("cognito_user_pool_arn: pool (expected:");
    assertThatThrownBy(() -> DeploySettings.from(context("cognito_domain", "https://x/")::get))
        .hasMessageStartingWith("cognito_domain: https://x/ (expected:");
    assertThatThrownBy(() -> DeploySettings.from(context("stage_name", "prod stage")::get))
        .hasMessageStartingWith("stage_name: prod stage (expected:");
    assertThatThrownBy(() -> DeploySettings.from(context("certificate_arn", "cert")::get))
        .hasMessageStartingWith("certificate_arn: cert (expected:");
    assertThatThrownBy(() -> DeploySettings.from(context("metrics_namespace", "AWS/ApiGateway")::get))
        .hasMessage("metrics_namespace: AWS/ApiGateway (expected: a CloudWatch namespace, not starting with AWS/)");
    assertThatThrownBy(() -> DeploySettings.from(context("service_name", "Token Cache")::get))
        .hasMessageStartingWith("service_name: Token Cache (expected:");
    assertThatThrownBy(() -> DeploySettings.from(context("alarm_topic_arn", "ops")::get))
        .hasMessage("alarm_topic_arn: ops (expected: arn:aws:sns:REGION:ACCOUNT:NAME)");
    assertThatThrownBy(() -> DeploySettings.from(context("trace_sample_ratio", "5")::get))
        .hasMessageStartingWith("trace_sample_ratio: 5 (expected:");
  }

  @Test
  void defaultsAndDerivedValues() {
    Map<String, Object> minimal = Map.of(
        "cognito_domain", "x.auth.us-east-1.amazoncognito.com",
        "cognito_user_pool_arn", "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Abc");
    DeploySettings settings = DeploySettings.from(minimal::get);

    assertThat(settings.stageName()).isEqualTo("prod");
    assertThat(settings.cacheTtlSeconds()).isEqualTo(3300);
    assertThat(settings.cacheSizeGb()).isEqualTo("0.5");
    assertThat(settings.region()).isEqualTo("us-east-1");
    assertThat(settings.tokenUrl()).isEqualTo("https://x.auth.us-east-1.amazoncognito.com/oauth2/token");
    assertThatThrownBy(settings::requiredCertificateArn).hasMessageStartingWith("certificate_arn:");
    assertThat(settings.metricsNamespace()).isEqualTo("Tokencache");
    assertThat(settings.serviceName()).isEqualTo("tokencache");
    assertThat(settings.alarmTopicArn()).isNull();
    assertThat(settings.traceSampleRatio()).isEqualTo("0.01");
    assertThat(settings.adotCollectorImage()).isEqualTo(DeploySettings.ADOT_COLLECTOR_IMAGE);
  }
}
