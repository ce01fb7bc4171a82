package dev.tokencache.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** Stack 2 in front of three user pools: the default one and two named upstreams, one WebACL on all. */
class SeveralUserPoolsTest {
  @Test
  void twoMoreUserPoolsBecomeNamedUpstreamsGuardedByTheSameWebAcl() {
    Map<String, Object> context = new HashMap<>(Synthesized.CONTEXT);
    context.put("user_pools", "orders=orders-pool.auth.eu-west-1.amazoncognito.com="
        + "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Orders1,"
        + "billing-eu=billing.auth.eu-west-1.amazoncognito.com="
        + "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Billing1");
    App app = new App(AppProps.builder().context(context).build());
    TokenCacheServiceStack stack = Stacks.tokenCache(app, StackProps.builder()
        .env(Environment.builder().account("123456789012").region("eu-west-1").build()).build(),
        DeploySettings.from(context::get), "../..");
    Aspects.of(app).add(new AwsSolutionsChecks());
    Template template = Template.fromStack(stack);

    for (Map.Entry<String, String> variable : Map.of(
        "TOKENCACHE_UPSTREAMS_ORDERS_TOKEN_URL", "https://orders-pool.auth.eu-west-1.amazoncognito.com/oauth2/token",
        "TOKENCACHE_UPSTREAMS_BILLING_EU_TOKEN_URL", "https://billing.auth.eu-west-1.amazoncognito.com/oauth2/token",
        "TOKENCACHE_UPSTREAM_TOKEN_URL", "https://example-pool.auth.eu-west-1.amazoncognito.com/oauth2/token")
        .entrySet()) {
      template.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of("ContainerDefinitions", Match.arrayWith(List.of(
          Match.objectLike(Map.of("Environment", Match.arrayWith(List.of(
              Map.of("Name", variable.getKey(), "Value", variable.getValue())))))))));
    }
    template.resourceCountIs("AWS::WAFv2::WebACL", 1);
    template.resourceCountIs("AWS::WAFv2::WebACLAssociation", 3);
    template.hasResourceProperties("AWS::WAFv2::WebACLAssociation", Map.of(
        "ResourceArn", "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Billing1"));
    assertThat(NagReport.errors(stack)).isEmpty();
  }

  @Test
  void aBadUserPoolListNamesTheEntry() {
    Map<String, Object> context = new HashMap<>(Synthesized.CONTEXT);
    context.put("user_pools", "Orders=x.example=arn");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DeploySettings.from(context::get))
        .hasMessageStartingWith("user_pools: Orders=x.example=arn (expected: NAME=DOMAIN=USER_POOL_ARN");
  }
}
