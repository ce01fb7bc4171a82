package dev.tokencache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void aStrayArgumentGetsTwoLinesNotTheWholeUsage() {
    assertThat(run("serve", "stray")).isEqualTo(2);

    assertThat(err.toString().lines()).containsExactly("tokencache: Unmatched argument at index 1: 'stray'",
        "see: tokencache serve --help");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void helpHasNoFormattingWarnings() {
    java.io.PrintStream systemErr = System.err;
    java.io.ByteArrayOutputStream picocliTrace = new java.io.ByteArrayOutputStream(); // picocli warns there
    System.setErr(new java.io.PrintStream(picocliTrace, true));
    try {
      assertThat(run("serve", "--help")).isZero();
    } finally {
      System.setErr(systemErr);
    }

    assertThat(out.toString()).contains("share of the JVM's maximum heap (25%)");
    assertThat(picocliTrace.toString()).doesNotContain("WARN");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void versionPrintsTheBuildVersion() {
    assertThat(run("version")).isZero();
    assertThat(out.toString()).startsWith("tokencache 0.");
  }

  @Test
  void checkConfigAcceptsAGoodFileAndMasksSecrets() throws Exception {
    Path file = dir.resolve("ok.yaml");
    Files.writeString(file, "upstream:\n  token-url: https://as.example/oauth2/token\ncache:\n  key-secret: a-very-long-key-secret\n");

    assertThat(run("check-config", file.toString())).isZero();
    assertThat(out.toString()).contains("OK", "upstream.token-url = https://as.example/oauth2/token",
        "cache.key-secret = <masked>").doesNotContain("a-very-long-key-secret");
  }

  @Test
  void checkConfigWarnsWhenTheCountBoundCannotFitTheMemoryBound() throws Exception {
    Path file = dir.resolve("big.yaml");
    Files.writeString(file, "upstream:\n  token-url: https://as.example/oauth2/token\ncache:\n  max-entries: 100000000\n"
        + "  max-memory: 64MiB\n");

    assertThat(run("check-config", file.toString())).isZero();
    assertThat(out.toString()).contains("warning: cache.max-entries: 100000000 tokens of a typical 1536 bytes need "
        + "about 146484 MiB, more than cache.max-memory (64 MiB of a");
  }

  @Test
  void checkConfigRefusesAMemoryBoundBeyondTheHeap() throws Exception {
    Path file = dir.resolve("huge.yaml");
    Files.writeString(file, "upstream:\n  token-url: https://as.example/oauth2/token\ncache:\n  max-memory: 95%\n");

    assertThat(run("check-config", file.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("cache.max-memory: 95% (expected: a share of the heap from 1% to 80%");
  }

  @Test
  void checkConfigPrintsEveryUpstreamWithSecretsMasked() throws Exception {
    Path file = dir.resolve("several.yaml");
    Files.writeString(file, "upstream:\n  token-url: https://user:hunter2@as.example/oauth2/token\n"
        + "upstreams:\n  billing:\n    token-url: https://kc.example/realms/billing/token\n"
        + "    origin:\n      secret: env:BILLING_ORIGIN\n");

    assertThat(run("check-config", file.toString())).isZero();
    assertThat(out.toString()).contains("upstream.token-url = https://<masked>@as.example/oauth2/token",
        "upstream billing at /billing/oauth2/token:", "token-url = https://kc.example/realms/billing/token",
        "origin.secret = <masked>").doesNotContain("hunter2", "BILLING_ORIGIN");
  }

  @Test
  void aListenerThatCannotBindSaysWhichInOneLine() throws Exception {
    try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      int port = busy.getLocalPort();

      assertThat(run("issuer", "--port", Integer.toString(port))).isEqualTo(1);
      assertThat(run("demo", "--port", Integer.toString(port), "--exit", "--duration", "1s")).isEqualTo(1);
    }
    assertThat(err.toString().lines()).hasSize(2)
        .anySatisfy(line -> assertThat(line).matches("tokencache: issuer listener 127\\.0\\.0\\.1:\\d+: address already in use .*"))
        .anySatisfy(line -> assertThat(line).matches("tokencache: demo proxy listener 127\\.0\\.0\\.1:\\d+: address already in use .*"));
  }

  @Test
  void anUnassignableHostAndABadDemoFlagAreOneLineEach() {
    assertThat(run("issuer", "--host", "10.255.255.1", "--port", "0")).isEqualTo(1);
    assertThat(run("demo", "--apps", "0", "--exit")).isEqualTo(2);

    assertThat(err.toString().lines()).containsExactly(
        "tokencache: issuer listener 10.255.255.1:0: cannot assign the address (it is not one of this machine's)",
        "tokencache: --apps: 0 (expected: 1 or more applications)");
  }

  @Test
  void issuerClientsFileErrorsSayWhichMistakeItIs() throws Exception {
    Path missing = dir.resolve("missing.yaml");
    Path broken = Files.writeString(dir.resolve("broken.yaml"), "clients:\n  - id: a\n    secret: [unclosed\n");
    Path twice = Files.writeString(dir.resolve("twice.yaml"), "clients:\n  - id: a\n    id: b\n    secret: s\n");

    run("issuer", "--port", "0", "--clients", missing.toString());
    run("issuer", "--port", "0", "--clients", broken.toString());
    run("issuer", "--port", "0", "--clients", twice.toString());

    assertThat(err.toString().lines()).hasSize(3).satisfiesExactly(
        line -> assertThat(line).isEqualTo("tokencache: --clients: " + missing
            + " (expected: a readable YAML file; it does not exist)"),
        line -> assertThat(line).startsWith("tokencache: --clients: " + broken + ":3:22 (expected: a YAML file; "),
        line -> assertThat(line).startsWith("tokencache: --clients: " + twice + ":3:")
            .contains("Duplicate field 'id'"));
  }

  @Test
  void guardHelpListsOnlyTheSettingsTheGuardReadsAndSaysTheTargetIsRequired() {
    assertThat(run("guard", "--help")).isZero();

    assertThat(out.toString())
        .contains("--guard-target-url", "(required by guard)", "--origin-secret", "--server-port",
            "--server-header-timeout", "--server-max-connections", "--admin-port", "--config")
        .doesNotContain("--upstream-token-url", "--cache-", "--redis-", "--server-tls-cert", "--server-drain");
    assertThat(out.toString().lines().count()).as("a screenful, not the serve usage").isLessThan(60);
  }

  @Test
  void issuerAndDemoTakeTheSamePortFlagAsServe() throws Exception {
    try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      String port = Integer.toString(busy.getLocalPort());

      assertThat(run("issuer", "--server-host", "127.0.0.1", "--server-port", port)).isEqualTo(1);
      assertThat(run("demo", "--server-port", port, "--exit", "--duration", "1s")).isEqualTo(1);
    }
    assertThat(err.toString().lines()).hasSize(2).allSatisfy(line -> assertThat(line)
        .contains("listener 127.0.0.1:").contains("address already in use"));
  }

  @Test
  void checkConfigListsEveryProblem() throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "server:\n  port: -1\nupstream:\n  token-url: https://as.example/t\n  client-auth: mtls\n");

    assertThat(run("check-config", file.toString())).isEqualTo(2);
    assertThat(err.toString().lines()).hasSize(2)
        .anySatisfy(line -> assertThat(line).contains("server.port: -1 (expected:"))
        .anySatisfy(line -> assertThat(line).contains("upstream.client-auth: mtls (expected: basic or post)"));
  }

  @Test
  void serveWithABadFlagStopsWithOneLineNamingTheKey() {
    assertThat(run("serve", "--upstream-token-url", "https://as.example/t", "--cache-min-remaining", "forever")).isEqualTo(2);
    assertThat(err.toString().lines()).singleElement().asString()
        .isEqualTo("tokencache: cache.min-remaining: forever (expected: a duration such as 500ms, 2s, 10m or 1h)");
  }

  @Test
  void serveWithAnUnreadableOriginSecretDoesNotStart() {
    assertThat(run("serve", "--upstream-token-url", "http://127.0.0.1:1/t", "--server-port", "0", "--admin-port", "0",
        "--log-access", "off", "--origin-secret", "file:" + dir.resolve("missing"))).isEqualTo(1);
    assertThat(err.toString().lines()).singleElement().asString()
        .isEqualTo("tokencache: cannot start: file:" + dir.resolve("missing") + " does not exist");
  }

  @Test
  void guardWithoutTargetSaysItIsRequired() {
    assertThat(run("guard", "--origin-secret", "env:X")).isEqualTo(2);
    assertThat(err.toString()).startsWith("tokencache: guard.target-url:").contains("required");
  }

  @Test
  void serveWithoutUpstreamSaysItIsRequired() {
    assertThat(run("serve")).isEqualTo(2);
    assertThat(err.toString()).startsWith("tokencache: upstream.token-url:").contains("required");
  }
}
