package dev.tokencache.deploy;

import java.util.List;
import java.util.stream.Collectors;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.cxapi.SynthesisMessage;

/** What cdk-nag reported on a stack, readable in a failure message. */
final class NagReport {
  private NagReport() {}

  static List<String> errors(Stack stack) {
    return describe(Annotations.fromStack(stack).findError("*", Match.stringLikeRegexp("AwsSolutions-.*")));
  }

  static List<String> warnings(Stack stack) {
    return describe(Annotations.fromStack(stack).findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*")));
  }

  private static List<String> describe(List<SynthesisMessage> messages) {
    return messages.stream()
        .map(m -> m.getId() + " " + String.valueOf(m.getEntry().getData()).lines().findFirst().orElse(""))
        .collect(Collectors.toList());
  }
}
