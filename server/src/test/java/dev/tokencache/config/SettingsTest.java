package dev.tokencache.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
  @TempDir
  Path dir;

  private Path yaml(String text) throws Exception {
    Path file = dir.resolve("tokencache.yaml");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void defaultsMatchTheSpec() {
    Settings settings = SettingsParser.parse(RawConfig.defaults());

    assertThat(settings.server().host()).isEqualTo("0.0.0.0");
    assertThat(settings.server().port()).isEqualTo(8080);
    assertThat(settings.server().maxBody()).isEqualTo(16 * 1024);
    assertThat(settings.server().tokenPath()).isEqualTo("/oauth2/token");
    assertThat(settings.upstream().clientAuth()).isEqualTo(Settings.ClientAuth.BASIC);
    assertThat(settings.upstream().connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(settings.upstream().timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.origin().header()).isEqualTo("x-origin-verify");
    assertThat(settings.cache().maxEntries()).isEqualTo(100_000);
    assertThat(settings.cache().minRemaining()).isEqualTo(Duration.ofSeconds(60));
    assertThat(settings.cache().refreshAhead()).isEqualTo(0.8);
    assertThat(settings.cache().forceRefreshInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(settings.admin().port()).isEqualTo(9090);
  }

  @Test
  void precedenceIsDefaultsThenYamlThenEnvironmentThenFlags() throws Exception {
    Path file = yaml("server:\n  port: 7000\n  host: 127.0.0.1\nupstream:\n  token-url: https://a.example/token\n"
        + "cache:\n  min-remaining: 30s\n");
    RawConfig raw = RawConfig.defaults()
        .withYamlFile(file)
        .withEnvironment(Map.of("TOKENCACHE_SERVER_PORT", "7001", "TOKENCACHE_UPSTREAM_TOKEN_URL", "https://b.example/token",
            "TOKENCACHE_CACHE_MAX_ENTRIES", "5"))
        .withOverrides(Map.of("server.port", "7002"));
    Settings settings = SettingsParser.parse(raw);

    assertThat(settings.server().port()).isEqualTo(7002);
    assertThat(settings.server().host()).isEqualTo("127.0.0.1");
    assertThat(settings.upstream().requiredTokenUrl().toString()).isEqualTo("https://b.example/token");
    assertThat(settings.cache().minRemaining()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.cache().maxEntries()).isEqualTo(5);
  }

  @Test
  void badValueNamesTheKeyInOneLine() {
    assertThatThrownBy(() -> SettingsParser.parse(RawConfig.defaults().withOverrides(Map.of("server.port", "70000"))))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .containsExactly("server.port: 70000 (expected: a whole number from 0 to 65535)"));
  }

  @Test
  void everyProblemIsListed() {
    RawConfig raw = RawConfig.defaults().withOverrides(Map.of(
        "upstream.client-auth", "jwt", "cache.refresh-ahead", "2", "upstream.timeout", "soon",
        "upstream.token-url", "ftp://x", "server.max-body", "1GiB"));

    assertThatThrownBy(() -> SettingsParser.parse(raw))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(5)
            .anySatisfy(p -> assertThat(p).startsWith("upstream.client-auth: jwt (expected: basic or post)"))
            .anySatisfy(p -> assertThat(p).startsWith("cache.refresh-ahead: 2"))
            .anySatisfy(p -> assertThat(p).startsWith("upstream.timeout: soon"))
            .anySatisfy(p -> assertThat(p).startsWith("upstream.token-url: ftp://x"))
            .anySatisfy(p -> assertThat(p).startsWith("server.max-body: 1GiB")));
  }

  @Test
  void unknownYamlKeyIsAProblem() throws Exception {
    Path file = yaml("cache:\n  max-entires: 10\n");

    assertThatThrownBy(() -> SettingsParser.parse(RawConfig.defaults().withYamlFile(file)))
        .isInstanceOfSatisfying(ConfigException.class,
            e -> assertThat(e.problems()).singleElement().asString().startsWith("cache.max-entires:"));
  }

  @Test
  void anUnknownKeyNamesTheKnownOneItWasProbablyMeantToBe() throws Exception {
    Path file = yaml("upstream:\n  token_url: https://as.example/token\ncache:\n  max-entires: 10\n  zzz: 1\n");

    assertThatThrownBy(() -> SettingsParser.parse(RawConfig.defaults().withYamlFile(file)))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "upstream.token_url: (expected: a known key; did you mean upstream.token-url? see docs/configuration.md)",
            "cache.max-entires: (expected: a known key; did you mean cache.max-entries? see docs/configuration.md)",
            "cache.zzz: (expected: a known key; see docs/configuration.md)"));
  }

  @Test
  void aYamlSyntaxErrorNamesItsLineAndColumn() throws Exception {
    Path file = yaml("upstream:\n  token-url: [https://as.example/token\n");

    assertThatThrownBy(() -> SettingsParser.parse(RawConfig.defaults().withYamlFile(file)))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement().asString()
            .startsWith("config: " + file + ":2:").contains("expected: a YAML file"));
  }

  @Test
  void secretsNeverAppearInProblems() {
    RawConfig raw = RawConfig.defaults().withOverrides(Map.of("cache.key-secret", "short-pw", "origin.secret", "plain-pw"));

    assertThatThrownBy(() -> SettingsParser.parse(raw))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(String.join("\n", e.problems()))
            .contains("cache.key-secret", "origin.secret").doesNotContain("short-pw", "plain-pw"));
  }

  @Test
  void tlsNeedsBothFiles() {
    assertThatThrownBy(() -> SettingsParser.parse(RawConfig.defaults().withOverrides(Map.of("server.tls.cert", "/nonexistent.pem"))))
        .isInstanceOfSatisfying(ConfigException.class,
            e -> assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("server.tls.key:")));
  }

  @Test
  void durationsAndSizesReadTheirUnits() {
    assertThat(ConfigValues.duration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(ConfigValues.duration("10m")).isEqualTo(Duration.ofMinutes(10));
    assertThat(ConfigValues.duration("7")).isEqualTo(Duration.ofSeconds(7));
    assertThat(ConfigValues.duration("1.5s")).isNull();
    assertThat(ConfigValues.size("16KiB")).isEqualTo(16384);
    assertThat(ConfigValues.size("1MiB")).isEqualTo(1024 * 1024);
    assertThat(ConfigValues.size("100")).isEqualTo(100);
    assertThat(ConfigValues.size("lots")).isEqualTo(-1);
  }

  @Test
  void namedUpstreamsInheritTopLevelSettingsAndOverrideTheirOwn() throws Exception {
    Path file = yaml("upstream:\n  timeout: 3s\n  client-auth: post\norigin:\n  secret: env:TOP\n"
        + "upstreams:\n  orders:\n    token-url: https://orders.example/oauth2/token\n"
        + "  billing:\n    token-url: http://keycloak:8080/realms/billing/protocol/openid-connect/token\n"
        + "    timeout: 1s\n    cost-per-1000: 2.25\n    origin:\n      secret: env:BILLING\n");
    Settings settings = SettingsParser.parse(RawConfig.defaults().withYamlFile(file));

    assertThat(settings.upstream().tokenUrl()).isEmpty();
    assertThat(settings.routes()).extracting(Settings.NamedUpstream::name).containsExactly("orders", "billing");
    Settings.NamedUpstream orders = settings.routes().get(0);
    Settings.NamedUpstream billing = settings.routes().get(1);
    assertThat(orders.route("/oauth2/token")).isEqualTo("/orders/oauth2/token");
    assertThat(orders.upstream().timeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(orders.upstream().clientAuth()).isEqualTo(Settings.ClientAuth.POST);
    assertThat(orders.origin().secretSource()).contains("env:TOP");
    assertThat(billing.upstream().timeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(billing.upstream().costPer1000()).isEqualTo(2.25);
    assertThat(billing.origin().secretSource()).contains("env:BILLING");
  }

  @Test
  void theDefaultUpstreamStaysAtTheTokenPathBesideNamedOnes() {
    Settings settings = SettingsParser.parse(RawConfig.defaults().withOverrides(Map.of(
        "upstream.token-url", "https://default.example/token", "upstreams.eu.token-url", "https://eu.example/token")));

    assertThat(settings.routes()).extracting(named -> named.route(settings.server().tokenPath()))
        .containsExactly("/oauth2/token", "/eu/oauth2/token");
  }

  @Test
  void namedUpstreamsComeFromTheEnvironmentToo() {
    Settings settings = SettingsParser.parse(RawConfig.defaults().withEnvironment(Map.of(
        "TOKENCACHE_UPSTREAMS_ORDERS_EU_TOKEN_URL", "https://orders.example/token",
        "TOKENCACHE_UPSTREAMS_ORDERS_EU_CONNECT_TIMEOUT", "250ms",
        "TOKENCACHE_UPSTREAMS_ORDERS_EU_ORIGIN_SECRET", "env:ORDERS")));

    Settings.NamedUpstream named = settings.routes().get(0);
    assertThat(named.name()).isEqualTo("orders-eu");
    assertThat(named.upstream().connectTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(named.upstream().timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(named.origin().secretSource()).contains("env:ORDERS");
  }

  @Test
  void badNamedUpstreamsAreReportedUnderTheirOwnKeys() throws Exception {
    assertThatThrownBy(() -> SettingsParser.parse(RawConfig.defaults().withOverrides(Map.of(
        "upstreams.Orders.token-url", "https://o.example/token"))))
        .hasMessageContaining("upstreams.Orders: (expected: a name of lower-case letters, digits and -)");
    assertThatThrownBy(() -> SettingsParser.parse(RawConfig.defaults().withOverrides(Map.of(
        "upstreams.eu.token-url", "https://eu.example/token", "upstreams.eu.timeout", "soon"))))
        .hasMessageContaining("upstreams.eu.timeout: soon (expected: a duration");
    assertThatThrownBy(() -> SettingsParser.parse(RawConfig.defaults().withOverrides(Map.of(
        "upstreams.eu.timeout", "2s"))))
        .hasMessageContaining("upstreams.eu.token-url: (expected: the authorization server's token endpoint URL");
    assertThatThrownBy(() -> SettingsParser.parse(RawConfig.defaults().withOverrides(Map.of(
        "upstreams.eu.tokenurl", "https://eu.example/token"))))
        .hasMessageContaining("upstreams.eu.tokenurl: (expected: upstreams.eu. followed by one of token-url");
    assertThatThrownBy(() -> SettingsParser.parse(RawConfig.defaults().withOverrides(Map.of(
        "upstream.token-url", "https://a.example/token", "upstreams.default.token-url", "https://b.example/token"))))
        .hasMessageContaining("upstreams.default: (expected: another name");
    Path duplicate = yaml("upstreams:\n  eu:\n    token-url: https://a.example/token\n"
        + "  eu:\n    token-url: https://b.example/token\n");
    assertThatThrownBy(() -> SettingsParser.parse(RawConfig.defaults().withYamlFile(duplicate)))
        .hasMessageContaining("Duplicate field 'eu'");
    assertThatThrownBy(() -> SettingsParser.parse(RawConfig.defaults()).routes())
        .hasMessageStartingWith("upstream.token-url: (expected:");
  }
}
