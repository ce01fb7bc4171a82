package dev.tokencache.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** cdk-nag's AWS Solutions checks: no unsuppressed error on either stack; every suppression has a reason. */
class NagTest {
  @Test
  void cognitoCacheStackHasNoUnsuppressedNagError() {
    assertThat(Synthesized.COGNITO_TEMPLATE).isNotNull();
    assertThat(NagReport.errors(Synthesized.COGNITO)).isEmpty();
  }

  @Test
  void tokencacheStackHasNoUnsuppressedNagError() {
    assertThat(Synthesized.TOKENCACHE_TEMPLATE).isNotNull();
    assertThat(NagReport.errors(Synthesized.TOKENCACHE)).isEmpty();
  }

  @Test
  void everySuppressionHasAReason() {
    assertThat(Stacks.COGNITO_CACHE).allSatisfy(s -> assertThat(s.getReason()).hasSizeGreaterThan(10));
    assertThat(Stacks.TOKENCACHE).allSatisfy(s -> assertThat(s.getReason()).hasSizeGreaterThan(10));
  }
}
