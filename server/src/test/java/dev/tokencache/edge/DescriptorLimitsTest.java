package dev.tokencache.edge;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The automatic connection limit and the low-descriptor warning, from given counts. */
class DescriptorLimitsTest {
  @Test
  void theAutomaticLimitLeavesDescriptorsForEverythingElse() {
    assertThat(ConnectionLimit.automatic(1024)).isEqualTo(768);
    assertThat(ConnectionLimit.automatic(65_536)).isEqualTo(65_280);
    assertThat(ConnectionLimit.automatic(300)).as("never under half").isEqualTo(150);
    assertThat(ConnectionLimit.automatic(Long.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void theWarningIsRaisedAtEightyPercentAndClearedUnderSeventy() {
    DescriptorWatch watch = new DescriptorWatch();
    watch.check(700, 1024);
    assertThat(watch.low()).isFalse();
    watch.check(820, 1024);
    assertThat(watch.low()).isTrue();
    watch.check(750, 1024);
    assertThat(watch.low()).as("between the lines: unchanged").isTrue();
    watch.check(700, 1024);
    assertThat(watch.low()).isFalse();
    watch.check(-1, 1024);
    assertThat(watch.low()).as("unknown counts change nothing").isFalse();
  }
}
