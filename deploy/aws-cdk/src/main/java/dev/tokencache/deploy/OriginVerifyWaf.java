package dev.tokencache.deploy;

import java.util.List;
import java.util.Map;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.wafv2.CfnWebACL;
import software.amazon.awscdk.services.wafv2.CfnWebACLAssociation;
import software.constructs.Construct;

/**
 * The WAF half of origin verification: a regional WebACL associated with the user pool that blocks every request
 * (403 with a JSON body) unless its {@code x-origin-verify} header equals the secret. The secret enters the
 * template as a Secrets Manager dynamic reference, never in plain text. Sampled requests are off so WAF never
 * stores the header value.
 */
final class OriginVerifyWaf extends Construct {
  static final String HEADER = "x-origin-verify";
  static final String FORBIDDEN =
      "{\"message\":\"Direct access to the authorization server is not allowed. Use the token proxy.\"}";

  final CfnWebACL webAcl;

  OriginVerifyWaf(Construct scope, String id, String userPoolArn, ISecret originSecret) {
    this(scope, id, java.util.List.of(userPoolArn), originSecret);
  }

  /** One WebACL for several user pools (a WebACL may guard many; a pool has at most one). */
  OriginVerifyWaf(Construct scope, String id, java.util.List<String> userPoolArns, ISecret originSecret) {
    super(scope, id);
    webAcl = CfnWebACL.Builder.create(this, "WebAcl")
        .scope("REGIONAL")
        .description("Blocks direct access to the Cognito user pool, only requests with the proxy origin header pass")
        .defaultAction(CfnWebACL.DefaultActionProperty.builder()
            .block(CfnWebACL.BlockActionProperty.builder()
                .customResponse(CfnWebACL.CustomResponseProperty.builder()
                    .responseCode(403)
                    .customResponseBodyKey("direct-access")
                    .build())
                .build())
            .build())
        .customResponseBodies(Map.of("direct-access", CfnWebACL.CustomResponseBodyProperty.builder()
            .contentType("APPLICATION_JSON")
            .content(FORBIDDEN)
            .build()))
        .rules(List.of(CfnWebACL.RuleProperty.builder()
            .name("allow-origin-verify")
            .priority(0)
            .action(CfnWebACL.RuleActionProperty.builder().allow(CfnWebACL.AllowActionProperty.builder().build()).build())
            .statement(CfnWebACL.StatementProperty.builder()
                .byteMatchStatement(CfnWebACL.ByteMatchStatementProperty.builder()
                    .fieldToMatch(CfnWebACL.FieldToMatchProperty.builder()
                        .singleHeader(Map.of("Name", HEADER))
                        .build())
                    .positionalConstraint("EXACTLY")
                    .searchString(originSecret.getSecretValue().unsafeUnwrap())
                    .textTransformations(List.of(CfnWebACL.TextTransformationProperty.builder()
                        .priority(0).type("NONE").build()))
                    .build())
                .build())
            .visibilityConfig(visibility("allowOriginVerify"))
            .build()))
        .visibilityConfig(visibility("tokencacheOriginVerify"))
        .build();
    for (int i = 0; i < userPoolArns.size(); i++) {
      CfnWebACLAssociation.Builder.create(this, i == 0 ? "UserPoolAssociation" : "UserPoolAssociation" + (i + 1))
          .resourceArn(userPoolArns.get(i))
          .webAclArn(webAcl.getAttrArn())
          .build();
    }
  }

  private static CfnWebACL.VisibilityConfigProperty visibility(String metric) {
    return CfnWebACL.VisibilityConfigProperty.builder()
        .sampledRequestsEnabled(false)
        .cloudWatchMetricsEnabled(true)
        .metricName(metric)
        .build();
  }
}
