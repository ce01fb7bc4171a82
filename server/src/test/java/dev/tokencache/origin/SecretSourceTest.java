package dev.tokencache.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokencache.support.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretSourceTest {
  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private SecretSource file(Path path) {
    return SecretSources.parse("file:" + path, Map.of(), Duration.ofSeconds(30), Duration.ofMinutes(10), clock);
  }

  @Test
  void unreadableSourceFailsStartWithAClearMessage() {
    SecretSource missing = file(dir.resolve("nope"));

    assertThatThrownBy(() -> await(missing.start(vertx)))
        .isInstanceOf(ExecutionException.class)
        .hasRootCauseInstanceOf(SecretUnavailable.class)
        .rootCause().hasMessage("file:" + dir.resolve("nope") + " does not exist");
    assertThatThrownBy(() -> await(SecretSources.parse("env:NOT_SET", Map.of(), Duration.ZERO, Duration.ZERO, clock)
        .start(vertx))).rootCause().hasMessage("environment variable NOT_SET is empty");
  }

  @Test
  void laterReadFailureKeepsTheLastGoodValueAndSaysSo() throws Exception {
    Path path = Files.writeString(dir.resolve("secret"), "first-value\n");
    SecretSource source = await(file(path).start(vertx));
    Files.delete(path);
    await(source.refresh());

    assertThat(source.current()).isEqualTo("first-value");
    assertThat(source.problem()).contains("does not exist").doesNotContain("first-value");

    Files.writeString(path, "first-value");
    await(source.refresh());
    assertThat(source.problem()).isNull();
  }

  @Test
  void replacedValueStaysAcceptedForTheGracePeriodOnly() throws Exception {
    Path path = Files.writeString(dir.resolve("secret"), "old-value");
    SecretSource source = await(file(path).start(vertx));
    Files.writeString(path, "new-value");
    await(source.refresh());

    assertThat(source.current()).isEqualTo("new-value");
    assertThat(source.accepted()).containsExactly("new-value", "old-value");
    clock.advance(Duration.ofMinutes(10).minusSeconds(1));
    assertThat(source.accepted()).containsExactly("new-value", "old-value");
    clock.advance(Duration.ofSeconds(1));
    assertThat(source.accepted()).containsExactly("new-value");
    assertThat(source.toString()).doesNotContain("value");
  }

  @Test
  void matcherAcceptsOnlyExactValues() {
    List<String> accepted = List.of("Abcdef123456", "second-secret");

    assertThat(SecretMatcher.matchesAny("Abcdef123456", accepted)).isTrue();
    assertThat(SecretMatcher.matchesAny("second-secret", accepted)).isTrue();
    for (String nearMiss : List.of("Abcdef123457", "Abcdef12345", "Abcdef1234567", "abcdef123456", "ABCDEF123456",
        " Abcdef123456", "", "second-secre")) {
      assertThat(SecretMatcher.matchesAny(nearMiss, accepted)).as(nearMiss).isFalse();
    }
    assertThat(SecretMatcher.matchesAny(null, accepted)).isFalse();
  }
}
