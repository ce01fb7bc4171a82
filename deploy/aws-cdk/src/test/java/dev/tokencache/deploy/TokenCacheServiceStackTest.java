package dev.tokencache.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** Stack 2, tokencache on ECS Fargate with an ElastiCache (Valkey) shared tier. */
class TokenCacheServiceStackTest {
  private final Template template = Synthesized.TOKENCACHE_TEMPLATE;

  @Test
  void atLeastTwoFargateTasksBehindAnHttpsLoadBalancer() {
    template.hasResourceProperties("AWS::ECS::Service", Map.of("DesiredCount", 2, "LaunchType", "FARGATE"));
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", Map.of(
        "Protocol", "HTTPS", "Port", 443,
        "Certificates", List.of(Map.of("CertificateArn", Synthesized.CONTEXT.get("certificate_arn")))));
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", Map.of(
        "Protocol", "HTTP", "Port", 80,
        "DefaultActions", List.of(Match.objectLike(Map.of("Type", "redirect")))));
  }

  @Test
  void healthChecksUseTheAdminPortsReadiness() {
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", Map.of(
        "HealthCheckPath", "/health/ready", "HealthCheckPort", "9090"));
    template.hasResourceProperties("AWS::ECS::Service", Map.of("LoadBalancers",
        List.of(Match.objectLike(Map.of("ContainerPort", 8080)))));
  }

  private void containerHas(String property, Object element) {
    template.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of("ContainerDefinitions",
        Match.arrayWith(List.of(Match.objectLike(Map.of(property, Match.arrayWith(List.of(element))))))));
  }

  @Test
  void tasksUseTheSharedValkeyAndReadSecretsFromSecretsManager() {
    containerHas("Environment", Map.of("Name", "TOKENCACHE_CACHE_BACKEND", "Value", "redis"));
    containerHas("Environment", Map.of("Name", "TOKENCACHE_REDIS_PASSWORD", "Value", "env:VALKEY_AUTH_TOKEN"));
    containerHas("Environment", Map.of("Name", "TOKENCACHE_UPSTREAM_TOKEN_URL",
        "Value", "https://example-pool.auth.eu-west-1.amazoncognito.com/oauth2/token"));
    containerHas("Environment", Map.of("Name", "TOKENCACHE_REDIS_URL", "Value", Match.objectLike(Map.of(
        "Fn::Join", Match.arrayWith(List.of(Match.arrayWith(List.of("rediss://"))))))));
    containerHas("Secrets", Match.objectLike(Map.of("Name", "TOKENCACHE_CACHE_KEY_SECRET")));
    containerHas("Secrets", Match.objectLike(Map.of("Name", "VALKEY_AUTH_TOKEN")));
    containerHas("PortMappings", Match.objectLike(Map.of("ContainerPort", 9090)));
    template.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of("ContainerDefinitions",
        Match.arrayWith(List.of(Match.objectLike(Map.of("LogConfiguration",
            Match.objectLike(Map.of("LogDriver", "awslogs"))))))));
    template.hasResourceProperties("AWS::ElastiCache::ReplicationGroup", Map.of(
        "Engine", "valkey",
        "TransitEncryptionEnabled", true,
        "AtRestEncryptionEnabled", true,
        "MultiAZEnabled", true,
        "NumCacheClusters", 2,
        "Port", 6380,
        "AuthToken", Match.objectLike(Map.of("Fn::Join", Match.anyValue()))));
  }

  @Test
  void theTaskRoleMayReadTheOriginSecretForLiveRotation() {
    Object readSecret = Match.objectLike(Map.of(
        "Action", List.of("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret")));
    template.hasResourceProperties("AWS::IAM::Policy", Map.of(
        "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(readSecret)))));
  }

  @Test
  void scalesOnCpuFromTwoTasks() {
    template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget",
        Map.of("MinCapacity", 2, "MaxCapacity", 10));
    Object cpu = Map.of("PredefinedMetricType", "ECSServiceAverageCPUUtilization");
    template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", Map.of(
        "PolicyType", "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration",
        Match.objectLike(Map.of("TargetValue", 60, "PredefinedMetricSpecification", cpu))));
  }

  @Test
  void theSameWafGuardsTheUserPool() {
    template.resourceCountIs("AWS::WAFv2::WebACL", 1);
    template.hasResourceProperties("AWS::WAFv2::WebACLAssociation", Map.of(
        "ResourceArn", Synthesized.CONTEXT.get("cognito_user_pool_arn")));
  }

  @Test
  void noSecretValueInPlainText() {
    String json = template.toJSON().toString();
    assertThat(json).contains("{{resolve:secretsmanager:").doesNotContainPattern("rediss://[^\"]*@");
    template.allResourcesProperties("AWS::SecretsManager::Secret", Map.of("GenerateSecretString",
        Match.objectLike(Map.of("ExcludePunctuation", true))));
  }
}
