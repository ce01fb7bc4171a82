package dev.tokencache.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokencache.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** A short demo run: its report must agree with the issuer's own counter. */
class DemoTest {
  @Test
  void reportAgreesWithTheIssuersOwnCounter() throws Exception {
    DemoOptions options = new DemoOptions(9, Duration.ofSeconds(3), 12, Duration.ofSeconds(4), 0);
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    DemoReport report;
    long scraped;
    try (Demo demo = Demo.start(options)) {
      report = demo.run(new PrintStream(progress, true, StandardCharsets.UTF_8), false);
      scraped = scrapeIssuerCounter(demo.issuer().issuer());
      assertThat(demo.curlCommands()).contains("curl", "-u demo-client:demo-secret", ":" + demo.proxyPort() + "/oauth2/token");
    }

    assertThat(report.failures()).isZero();
    assertThat(report.requests()).isEqualTo(report.hits() + report.misses() + report.coalesced());
    assertThat(report.issuerRequests()).isEqualTo(scraped);
    assertThat(report.issuerRequests()).isGreaterThanOrEqualTo(options.apps()).isLessThan(report.requests());
    assertThat(report.hits()).isPositive();
    double saved = (report.requests() - report.issuerRequests()) * 2.25 / 1000;
    assertThat(report.render()).contains("Money saved at USD 2.25 per 1,000 token requests",
        String.format(java.util.Locale.ROOT, "USD %.4f", saved));
    assertThat(report.render()).contains("token requests made", String.format("%,d", report.requests()),
        "reduction", "hit latency", "a month");
    assertThat(progress.toString(StandardCharsets.UTF_8)).contains("requests", "reached the issuer");
  }

  @Test
  void aRunShorterThanTwoLifetimesSaysItsProjectionUnderstatesTheSaving() {
    DemoOptions shortRun = new DemoOptions(100, Duration.ofHours(1), 12, Duration.ofSeconds(5), 0);
    DemoOptions longRun = new DemoOptions(100, Duration.ofSeconds(10), 12, Duration.ofSeconds(30), 0);

    String shortReport = new DemoReport(shortRun, 200, 100, 100, 0, 0, 100, 0.1, 0.5, 2, 5).render();
    String longReport = new DemoReport(longRun, 3600, 3300, 300, 0, 0, 300, 0.1, 0.5, 2, 5).render();

    assertThat(shortReport).contains("less than two token lifetimes (3600s)", "understates the saving",
        "--duration of at least 7200s");
    assertThat(longReport).doesNotContain("understates");
    assertThat(shortReport).contains("before the JIT compiled them");
    assertThat(longReport).contains("before the JIT compiled them");
  }

  @Test
  void demoCommandWithExitEndsWithStatusZero() {
    StringWriter err = new StringWriter();
    int status = Main.run(new String[] {"demo", "--apps", "3", "--token-lifetime", "2s", "--duration", "2s", "--exit"},
        new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));

    assertThat(status).as(err.toString()).isZero();
  }

  private static long scrapeIssuerCounter(String issuer) throws Exception {
    String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(issuer + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher matcher = Pattern.compile("(?m)^tokencache_issuer_token_requests_total (\\d+)$").matcher(metrics);
    assertThat(matcher.find()).isTrue();
    return Long.parseLong(matcher.group(1));
  }
}
