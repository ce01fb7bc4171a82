package dev.tokencache.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A {@code tokencache} command run as its own process by a test. */
public final class ChildProcess {
  private ChildProcess() {}

  /** Waits (at most 30 s) until the child's log says it listens; fails if it dies first. */
  public static void awaitListening(Process child, Path log) throws Exception {
    awaitLog(child, log, "token proxy listening");
  }

  /** Waits (at most 30 s) until the child's log contains {@code text}; fails if it dies first. */
  public static void awaitLog(Process child, Path log, String text) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!Files.exists(log) || !Files.readString(log).contains(text)) {
      assertThat(child.isAlive()).as("the child is running: %s", Files.exists(log) ? Files.readString(log) : "").isTrue();
      assertThat(System.nanoTime()).as("the child started within 30 s").isLessThan(deadline);
      Thread.sleep(50); // polling a child process's log, bounded by the deadline
    }
  }
}
