package dev.tokencache.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A {@code tokencache} command run as its own process by a test. */
public final class ChildProcess {
  private ChildProcess() {}

  /** A port free on this machine now. */
  public static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
      return probe.getLocalPort();
    }
  }

  /**
   * Starts {@code tokencache} (this build's classes) as its own JVM with {@code jvmOptions} before the class and
   * {@code arguments} after it, its output to {@code log}.
   */
  public static Process tokencache(Path log, java.util.List<String> jvmOptions, String... arguments)
      throws java.io.IOException {
    java.util.List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(java.util.List.of("-cp", System.getProperty("java.class.path"), "dev.tokencache.cli.Main"));
    command.addAll(java.util.List.of(arguments));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

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
