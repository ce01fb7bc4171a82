package dev.tokencache.deploy;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Template;

/** Both stacks synthesized once per JVM (the first synthesis costs seconds), with cdk-nag applied. */
final class Synthesized {
  static final Map<String, Object> CONTEXT = Map.of(
      "cognito_domain", "example-pool.auth.eu-west-1.amazoncognito.com",
      "cognito_user_pool_arn", "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123",
      "stage_name", "prod",
      "cache_ttl_seconds", "3300",
      "cache_size_gb", "0.5",
      "certificate_arn", "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555");

  static final CognitoCacheStack COGNITO;
  static final TokenCacheServiceStack TOKENCACHE;
  static final Template COGNITO_TEMPLATE;
  static final Template TOKENCACHE_TEMPLATE;

  static {
    App app = new App(AppProps.builder().context(CONTEXT).build());
    DeploySettings settings = DeploySettings.from(CONTEXT::get);
    StackProps props = StackProps.builder()
        .env(Environment.builder().account("123456789012").region("eu-west-1").build()).build();
    COGNITO = Stacks.cognitoCache(app, props, settings);
    TOKENCACHE = Stacks.tokenCache(app, props, settings, "../..");
    Aspects.of(app).add(new AwsSolutionsChecks());
    COGNITO_TEMPLATE = Template.fromStack(COGNITO);
    TOKENCACHE_TEMPLATE = Template.fromStack(TOKENCACHE);
  }

  private Synthesized() {}
}
