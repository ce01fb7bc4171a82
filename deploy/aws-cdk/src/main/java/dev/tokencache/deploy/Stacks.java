package dev.tokencache.deploy;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import io.github.cdklabs.cdknag.RegexAppliesTo;
import java.util.List;
import software.amazon.awscdk.StackProps;
import software.constructs.Construct;

/**
 * Builds the stacks with their cdk-nag suppressions. Every suppression carries a one-line reason; anything
 * cdk-nag reports that is not listed here fails the tests.
 */
public final class Stacks {
  private Stacks() {}

  static final List<NagPackSuppression> COGNITO_CACHE = List.of(
      suppress("AwsSolutions-APIG4",
          "The token endpoint is where clients get credentials; they authenticate with their client secret at Cognito."),
      suppress("AwsSolutions-COG4",
          "A Cognito authorizer would need a token to obtain a token; client authentication happens at Cognito."),
      suppress("AwsSolutions-IAM4",
          "API Gateway's account CloudWatch role uses AmazonAPIGatewayPushToCloudWatchLogs, as the service documents."),
      suppress("AwsSolutions-SMG4",
          "The WAF rule must accept old and new values during a rotation; docs/origin-verification.md is the runbook."));

  static final List<NagPackSuppression> TOKENCACHE = List.of(
      suppress("AwsSolutions-EC23",
          "The load balancer is the public token endpoint: it must accept HTTPS from any client address."),
      suppress("AwsSolutions-ECS2",
          "The environment holds no secret (URLs, ports, secret ARNs); secrets are injected from Secrets Manager."),
      suppress("AwsSolutions-ELB2",
          "tokencache writes a JSON access log without secrets; ALB logs would store query strings with client secrets."),
      NagPackSuppression.builder().id("AwsSolutions-IAM5").appliesTo(List.of("Resource::*",
          RegexAppliesTo.builder().regex("/^Resource::<MonitoringMetricsLogs[0-9A-F]+\\.Arn>:log-stream:\\*$/g").build()))
          .reason("ecr:GetAuthorizationToken (CDK's task execution role) and the X-Ray write and sampling actions"
              + " (task role) support no resource-level restriction; the collector writes one log stream per task,"
              + " named by task id, in the one metrics log group.").build(),
      suppress("AwsSolutions-SMG4",
          "Origin secret: rotation follows the runbook (WAF accepts both); key and AUTH secrets are rotated with a redeploy."));

  public static CognitoCacheStack cognitoCache(Construct scope, StackProps props, DeploySettings settings) {
    CognitoCacheStack stack = new CognitoCacheStack(scope, "TokencacheCognitoCache", props, settings);
    NagSuppressions.addStackSuppressions(stack, COGNITO_CACHE, true);
    return stack;
  }

  public static TokenCacheServiceStack tokenCache(Construct scope, StackProps props, DeploySettings settings,
      String sourceDirectory) {
    TokenCacheServiceStack stack = new TokenCacheServiceStack(scope, "Tokencache", props, settings, sourceDirectory);
    NagSuppressions.addStackSuppressions(stack, TOKENCACHE, true);
    return stack;
  }

  static NagPackSuppression suppress(String id, String reason) {
    return NagPackSuppression.builder().id(id).reason(reason).build();
  }
}
