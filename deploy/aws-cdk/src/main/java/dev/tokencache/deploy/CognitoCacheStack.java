package dev.tokencache.deploy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.apigateway.AccessLogFormat;
import software.amazon.awscdk.services.apigateway.EndpointType;
import software.amazon.awscdk.services.apigateway.HttpIntegration;
import software.amazon.awscdk.services.apigateway.HttpIntegrationProps;
import software.amazon.awscdk.services.apigateway.IntegrationOptions;
import software.amazon.awscdk.services.apigateway.IntegrationResponse;
import software.amazon.awscdk.services.apigateway.JsonWithStandardFieldProps;
import software.amazon.awscdk.services.apigateway.LogGroupLogDestination;
import software.amazon.awscdk.services.apigateway.MethodDeploymentOptions;
import software.amazon.awscdk.services.apigateway.MethodLoggingLevel;
import software.amazon.awscdk.services.apigateway.MethodOptions;
import software.amazon.awscdk.services.apigateway.MethodResponse;
import software.amazon.awscdk.services.apigateway.PassthroughBehavior;
import software.amazon.awscdk.services.apigateway.RequestValidator;
import software.amazon.awscdk.services.apigateway.Resource;
import software.amazon.awscdk.services.apigateway.RestApi;
import software.amazon.awscdk.services.apigateway.StageOptions;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.secretsmanager.SecretStringGenerator;
import software.constructs.Construct;

/**
 * Stack 1: the AWS sample's architecture in Java, with its defects fixed. A regional REST API caches Cognito's
 * token endpoint; the origin secret comes from Secrets Manager through a stage variable; a WAF WebACL on the user
 * pool refuses requests without it.
 *
 * <p>Fixed against the sample: X-Ray tracing on; execution logging at ERROR without data trace (the sample logged
 * client secrets and tokens); cache data encrypted; the query-string credentials of the seed's third method are
 * part of the cache key; 4xx and 5xx keep their status instead of all becoming 200; the cache size is validated.
 * What API Gateway cannot do (rewrite {@code expires_in}, expire entries with the token) is what stack 2 fixes.
 */
public final class CognitoCacheStack extends Stack {
  /** Method-request parameters that make up the cache key. */
  static final List<String> CACHE_KEY = List.of(
      "method.request.header.Authorization",
      "method.request.querystring.scope",
      "method.request.querystring.client_id",
      "method.request.querystring.client_secret");

  /** Cognito statuses kept as they are (selection pattern → status). */
  static final Map<String, String> ERROR_STATUSES = errorStatuses();

  final RestApi api;
  final Secret originSecret;
  final OriginVerifyWaf waf;

  public CognitoCacheStack(Construct scope, String id, StackProps props, DeploySettings settings) {
    super(scope, id, props);
    originSecret = Secret.Builder.create(this, "OriginVerifySecret")
        .description("Value of the x-origin-verify header the WAF on the user pool requires")
        .generateSecretString(SecretStringGenerator.builder().passwordLength(64).excludePunctuation(true).build())
        .build();
    LogGroup accessLogs = LogGroup.Builder.create(this, "AccessLogs")
        .retention(RetentionDays.ONE_YEAR)
        .removalPolicy(RemovalPolicy.RETAIN)
        .build();
    api = RestApi.Builder.create(this, "TokenApi")
        .restApiName("tokencache-cognito-proxy")
        .description("Caching proxy in front of the Cognito token endpoint")
        .endpointTypes(List.of(EndpointType.REGIONAL))
        .cloudWatchRole(true)
        .deployOptions(StageOptions.builder()
            .stageName(settings.stageName())
            .cacheClusterEnabled(true)
            .cacheClusterSize(settings.cacheSizeGb())
            .tracingEnabled(true)
            .loggingLevel(MethodLoggingLevel.ERROR)
            .dataTraceEnabled(false)
            .metricsEnabled(true)
            .accessLogDestination(new LogGroupLogDestination(accessLogs))
            .accessLogFormat(AccessLogFormat.jsonWithStandardFields(JsonWithStandardFieldProps.builder()
                .caller(false).httpMethod(true).ip(true).protocol(true).requestTime(true)
                .resourcePath(true).responseLength(true).status(true).user(false).build()))
            .variables(Map.of("originVerify", originSecret.getSecretValue().unsafeUnwrap()))
            .methodOptions(Map.of("/oauth2/token/POST", MethodDeploymentOptions.builder()
                .cachingEnabled(true)
                .cacheTtl(Duration.seconds(settings.cacheTtlSeconds()))
                .cacheDataEncrypted(true)
                .loggingLevel(MethodLoggingLevel.ERROR)
                .dataTraceEnabled(false)
                .build()))
            .build())
        .build();
    Resource token = api.getRoot().addResource("oauth2").addResource("token");
    RequestValidator validator = RequestValidator.Builder.create(this, "Validator")
        .restApi(api).validateRequestParameters(true).validateRequestBody(true).build();
    Map<String, Boolean> methodParameters = new LinkedHashMap<>();
    CACHE_KEY.forEach(parameter -> methodParameters.put(parameter, false));
    token.addMethod("POST", cognitoIntegration(settings), MethodOptions.builder()
        .requestParameters(methodParameters)
        .requestValidator(validator)
        .methodResponses(methodResponses())
        .build());
    waf = new OriginVerifyWaf(this, "OriginVerify", settings.userPoolArn(), originSecret);

    CfnOutput.Builder.create(this, "TokenEndpoint").value(api.urlForPath("/oauth2/token"))
        .description("POST client-credentials token requests here").build();
    CfnOutput.Builder.create(this, "WebAclArn").value(waf.webAcl.getAttrArn()).build();
    CfnOutput.Builder.create(this, "OriginSecretArn").value(originSecret.getSecretArn()).build();
  }

  private static HttpIntegration cognitoIntegration(DeploySettings settings) {
    Map<String, String> requestParameters = new LinkedHashMap<>();
    requestParameters.put("integration.request.header.Authorization", "method.request.header.Authorization");
    requestParameters.put("integration.request.querystring.scope", "method.request.querystring.scope");
    requestParameters.put("integration.request.querystring.client_id", "method.request.querystring.client_id");
    requestParameters.put("integration.request.querystring.client_secret", "method.request.querystring.client_secret");
    requestParameters.put("integration.request.header.x-origin-verify", "stageVariables.originVerify");
    List<IntegrationResponse> responses = new java.util.ArrayList<>();
    responses.add(IntegrationResponse.builder().statusCode("200").build());
    ERROR_STATUSES.forEach((pattern, status) -> responses.add(IntegrationResponse.builder()
        .selectionPattern(pattern).statusCode(status).build()));
    return new HttpIntegration(settings.tokenUrl(), HttpIntegrationProps.builder()
        .httpMethod("POST")
        .proxy(false)
        .options(IntegrationOptions.builder()
            .cacheKeyParameters(CACHE_KEY)
            .cacheNamespace("tokencache")
            .requestParameters(requestParameters)
            .passthroughBehavior(PassthroughBehavior.WHEN_NO_MATCH)
            .timeout(Duration.seconds(10))
            .integrationResponses(responses)
            .build())
        .build());
  }

  private static List<MethodResponse> methodResponses() {
    List<MethodResponse> responses = new java.util.ArrayList<>();
    responses.add(MethodResponse.builder().statusCode("200").build());
    ERROR_STATUSES.values().forEach(status -> responses.add(MethodResponse.builder().statusCode(status).build()));
    return responses;
  }

  private static Map<String, String> errorStatuses() {
    Map<String, String> statuses = new LinkedHashMap<>();
    statuses.put("400", "400");
    statuses.put("401", "401");
    statuses.put("403", "403");
    statuses.put("429", "429");
    statuses.put("5\\d{2}", "502");
    return statuses;
  }
}
