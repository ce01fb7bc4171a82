package dev.tokencache.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** Stack 1, the AWS sample's architecture with its defects fixed, as CloudFormation sees it. */
class CognitoCacheStackTest {
  private final Template template = Synthesized.COGNITO_TEMPLATE;

  @Test
  void stageCachesTheTokenMethodEncryptedWithTracingAndWithoutDataTrace() {
    template.hasResourceProperties("AWS::ApiGateway::Stage", Map.of(
        "StageName", "prod",
        "CacheClusterEnabled", true,
        "CacheClusterSize", "0.5",
        "TracingEnabled", true,
        "MethodSettings", Match.arrayWith(List.of(Map.of(
            "ResourcePath", "/~1oauth2~1token",
            "HttpMethod", "POST",
            "CachingEnabled", true,
            "CacheTtlInSeconds", 3300,
            "CacheDataEncrypted", true,
            "DataTraceEnabled", false,
            "LoggingLevel", "ERROR")))));
    Map<String, Map<String, Object>> stages = template.findResources("AWS::ApiGateway::Stage");
    assertThat(stages.toString()).doesNotContain("DataTraceEnabled=true").doesNotContain("LoggingLevel=INFO");
  }

  @Test
  void accessLogIsJsonInItsOwnLogGroup() {
    template.hasResourceProperties("AWS::ApiGateway::Stage", Map.of("AccessLogSetting", Map.of(
        "DestinationArn", Match.anyValue(),
        "Format", Match.stringLikeRegexp("\\{\"requestId\":\"\\$context.requestId\".*\"status\":\"\\$context.status\".*"))));
    template.resourceCountIs("AWS::Logs::LogGroup", 1);
  }

  @Test
  void theThreeCredentialMethodsAreInTheCacheKeyAndTheOriginHeaderComesFromTheStageVariable() {
    template.hasResourceProperties("AWS::ApiGateway::Method", Map.of(
        "HttpMethod", "POST",
        "AuthorizationType", "NONE",
        "Integration", Match.objectLike(Map.of(
            "Type", "HTTP",
            "IntegrationHttpMethod", "POST",
            "Uri", "https://example-pool.auth.eu-west-1.amazoncognito.com/oauth2/token",
            "CacheKeyParameters", CognitoCacheStack.CACHE_KEY,
            "RequestParameters", Match.objectLike(Map.of(
                "integration.request.header.x-origin-verify", "stageVariables.originVerify",
                "integration.request.header.Authorization", "method.request.header.Authorization",
                "integration.request.querystring.scope", "method.request.querystring.scope"))))));
  }

  @Test
  void errorStatusesAreKeptNotMappedTo200() {
    template.hasResourceProperties("AWS::ApiGateway::Method", Map.of(
        "Integration", Match.objectLike(Map.of("IntegrationResponses", List.of(
            Map.of("StatusCode", "200"),
            Map.of("SelectionPattern", "400", "StatusCode", "400"),
            Map.of("SelectionPattern", "401", "StatusCode", "401"),
            Map.of("SelectionPattern", "403", "StatusCode", "403"),
            Map.of("SelectionPattern", "429", "StatusCode", "429"),
            Map.of("SelectionPattern", "5\\d{2}", "StatusCode", "502")))),
        "MethodResponses", List.of(Map.of("StatusCode", "200"), Map.of("StatusCode", "400"),
            Map.of("StatusCode", "401"), Map.of("StatusCode", "403"), Map.of("StatusCode", "429"),
            Map.of("StatusCode", "502"))));
  }

  @Test
  void originSecretIsGeneratedAndNeverInPlainText() {
    template.hasResourceProperties("AWS::SecretsManager::Secret", Map.of("GenerateSecretString",
        Map.of("PasswordLength", 64, "ExcludePunctuation", true)));
    String json = template.toJSON().toString();
    assertThat(json).contains("{{resolve:secretsmanager:");
    template.hasResourceProperties("AWS::ApiGateway::Stage", Map.of("Variables", Map.of("originVerify",
        Match.objectLike(Map.of("Fn::Join", Match.anyValue())))));
  }

  @Test
  void wafBlocksByDefaultAndAllowsOnlyTheOriginHeaderOnTheUserPool() {
    template.hasResourceProperties("AWS::WAFv2::WebACL", Map.of(
        "Scope", "REGIONAL",
        "DefaultAction", Map.of("Block", Map.of("CustomResponse",
            Map.of("ResponseCode", 403, "CustomResponseBodyKey", "direct-access"))),
        "CustomResponseBodies", Map.of("direct-access", Map.of("ContentType", "APPLICATION_JSON",
            "Content", OriginVerifyWaf.FORBIDDEN)),
        "Rules", List.of(Match.objectLike(Map.of(
            "Action", Map.of("Allow", Map.of()),
            "Statement", Map.of("ByteMatchStatement", Match.objectLike(Map.of(
                "FieldToMatch", Map.of("SingleHeader", Map.of("Name", "x-origin-verify")),
                "PositionalConstraint", "EXACTLY",
                "SearchString", Match.objectLike(Map.of("Fn::Join", Match.anyValue()))))),
            "VisibilityConfig", Match.objectLike(Map.of("SampledRequestsEnabled", false)))))));
    template.hasResourceProperties("AWS::WAFv2::WebACLAssociation", Map.of(
        "ResourceArn", "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123"));
  }

  @Test
  void outputsNameEndpointWebAclAndSecret() {
    template.hasOutput("TokenEndpoint", Map.of());
    template.hasOutput("WebAclArn", Map.of());
    template.hasOutput("OriginSecretArn", Map.of());
  }
}
