package dev.tokencache.deploy;

import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;

/**
 * The CDK app. Context parameters (see docs/deploy-aws.md): {@code cognito_domain}, {@code cognito_user_pool_arn},
 * {@code stage_name}, {@code cache_ttl_seconds}, {@code cache_size_gb}, and for the tokencache stack
 * {@code certificate_arn}; {@code stacks} chooses {@code cognito-cache}, {@code tokencache} or both (default:
 * {@code cognito-cache}, plus {@code tokencache} when a certificate is given). cdk-nag's AWS Solutions checks run on
 * every synthesis.
 */
public final class DeployApp {
  private DeployApp() {}

  public static void main(String[] args) {
    App app = new App();
    DeploySettings settings = DeploySettings.from(name -> app.getNode().tryGetContext(name));
    String wanted = String.valueOf(app.getNode().tryGetContext("stacks") == null
        ? (settings.certificateArn() == null ? "cognito-cache" : "cognito-cache,tokencache")
        : app.getNode().tryGetContext("stacks"));
    StackProps props = StackProps.builder()
        .env(Environment.builder().account(System.getenv("CDK_DEFAULT_ACCOUNT")).region(settings.region()).build())
        .build();
    if (wanted.contains("cognito-cache")) {
      Stacks.cognitoCache(app, props, settings);
    }
    if (wanted.contains("tokencache")) {
      Object source = app.getNode().tryGetContext("source_directory");
      Stacks.tokenCache(app, props, settings, source == null ? "../.." : source.toString());
    }
    Aspects.of(app).add(new AwsSolutionsChecks());
    app.synth();
  }
}
