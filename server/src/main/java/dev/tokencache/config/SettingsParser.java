package dev.tokencache.config;

import org.jspecify.annotations.Nullable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns a {@link RawConfig} into {@link Settings}, checking every key and collecting every problem
 * before failing, so that {@code check-config} can list them all.
 */
public final class SettingsParser {
  private final RawConfig raw;
  private final List<String> problems = new ArrayList<>();

  private SettingsParser(RawConfig raw) {
    this(raw, true);
  }

  private SettingsParser(RawConfig raw, boolean withSourceProblems) {
    this.raw = raw;
    if (withSourceProblems) {
      problems.addAll(raw.problems());
    }
  }

  /**
   * Validates the raw configuration.
   *
   * @throws ConfigException listing every problem, one line each
   */
  public static Settings parse(RawConfig raw) {
    SettingsParser parser = new SettingsParser(raw);
    Settings settings = parser.settings();
    if (!parser.problems.isEmpty()) {
      throw new ConfigException(parser.problems);
    }
    return settings;
  }

  private Settings settings() {
    Settings.Origin origin = origin();
    Settings.Cache cache = cache();
    Settings.Upstream upstream = upstream();
    return new Settings(server(), upstream, cache, proxy(), origin, admin(), log(), guard(origin), redis(cache),
        namedUpstreams(upstream));
  }

  private static final java.util.regex.Pattern UPSTREAM_NAME = java.util.regex.Pattern.compile("[a-z0-9-]{1,63}");

  /**
   * The named upstreams: each parsed over the top-level values with its own in their place. A problem is reported
   * under the upstream's key (upstreams.orders.timeout) when the upstream set it, once at the top level otherwise.
   */
  private java.util.List<Settings.NamedUpstream> namedUpstreams(Settings.Upstream defaultUpstream) {
    java.util.List<Settings.NamedUpstream> named = new ArrayList<>();
    for (String name : raw.upstreamNames()) {
      if (!UPSTREAM_NAME.matcher(name).matches()) {
        problems.add(ConfigKeys.UPSTREAMS + "." + name + ": (expected: a name of lower-case letters, digits and -)");
        continue;
      }
      if (Settings.DEFAULT_UPSTREAM.equals(name) && defaultUpstream.tokenUrl().isPresent()) {
        problems.add(ConfigKeys.UPSTREAMS + ".default: (expected: another name; \"default\" is the upstream of "
            + ConfigKeys.UPSTREAM_TOKEN_URL + ", served at " + ConfigKeys.SERVER_TOKEN_PATH + ")");
        continue;
      }
      RawConfig scoped = raw.forUpstream(name);
      SettingsParser parser = new SettingsParser(scoped, false);
      Settings.Upstream upstream = parser.upstream();
      Settings.Origin origin = parser.origin();
      if (upstream.tokenUrl().isEmpty() && !raw.upstreamSets(name, ConfigKeys.UPSTREAM_TOKEN_URL)) {
        problems.add(ConfigKeys.UPSTREAMS + "." + name + ".token-url: (expected: the authorization server's token "
            + "endpoint URL; every named upstream needs one)");
      }
      for (String problem : parser.problems) {
        String key = problem.substring(0, problem.indexOf(':'));
        if (raw.upstreamSets(name, key)) {
          String suffix = key.startsWith("upstream.") ? key.substring("upstream.".length()) : key;
          problems.add(ConfigKeys.UPSTREAMS + "." + name + "." + suffix + problem.substring(key.length()));
        }
      }
      named.add(new Settings.NamedUpstream(name, upstream, origin));
    }
    return java.util.List.copyOf(named);
  }

  private Settings.Server server() {
    String host = text(ConfigKeys.SERVER_HOST);
    int port = port(ConfigKeys.SERVER_PORT);
    Optional<Settings.Tls> tls = tls();
    long maxBody = size(ConfigKeys.SERVER_MAX_BODY, 1, 16L * 1024 * 1024);
    String tokenPath = text(ConfigKeys.SERVER_TOKEN_PATH);
    if (tokenPath != null && !tokenPath.startsWith("/")) {
      problem(ConfigKeys.SERVER_TOKEN_PATH, tokenPath, "a path starting with /");
    }
    int maxConnections = (int) integer(ConfigKeys.SERVER_MAX_CONNECTIONS, 0, Integer.MAX_VALUE);
    Duration headerTimeout = duration(ConfigKeys.SERVER_HEADER_TIMEOUT, Duration.ofMillis(1));
    Duration idleTimeout = duration(ConfigKeys.SERVER_IDLE_TIMEOUT, Duration.ofSeconds(1));
    Duration drain = duration(ConfigKeys.SERVER_DRAIN, Duration.ZERO);
    Duration grace = duration(ConfigKeys.SERVER_SHUTDOWN_GRACE, Duration.ZERO);
    int loops = (int) integer(ConfigKeys.SERVER_EVENT_LOOPS, 0, 1024);
    return new Settings.Server(orEmpty(host), port, tls, (int) maxBody, orEmpty(tokenPath), maxConnections, headerTimeout,
        idleTimeout, drain, grace, loops);
  }

  private Optional<Settings.Tls> tls() {
    String cert = raw.get(ConfigKeys.SERVER_TLS_CERT);
    String key = raw.get(ConfigKeys.SERVER_TLS_KEY);
    if (cert == null && key == null) {
      return Optional.empty();
    }
    if (cert == null || key == null) {
      String missing = cert == null ? ConfigKeys.SERVER_TLS_CERT : ConfigKeys.SERVER_TLS_KEY;
      problems.add(missing + ": (expected: a PEM file; server.tls.cert and server.tls.key go together)");
      return Optional.empty();
    }
    Path certPath = readableFile(ConfigKeys.SERVER_TLS_CERT, cert);
    Path keyPath = readableFile(ConfigKeys.SERVER_TLS_KEY, key);
    return certPath == null || keyPath == null ? Optional.empty() : Optional.of(new Settings.Tls(certPath, keyPath));
  }

  private Settings.Upstream upstream() {
    Optional<URI> url = Optional.ofNullable(raw.get(ConfigKeys.UPSTREAM_TOKEN_URL))
        .map(value -> httpUrl(ConfigKeys.UPSTREAM_TOKEN_URL, value));
    Settings.ClientAuth auth = choice(ConfigKeys.UPSTREAM_CLIENT_AUTH, Settings.ClientAuth.class);
    Duration connect = duration(ConfigKeys.UPSTREAM_CONNECT_TIMEOUT, Duration.ofMillis(1));
    Duration timeout = duration(ConfigKeys.UPSTREAM_TIMEOUT, Duration.ofMillis(1));
    int connections = (int) integer(ConfigKeys.UPSTREAM_MAX_CONNECTIONS, 1, 10_000);
    Duration backoff = duration(ConfigKeys.UPSTREAM_BACKOFF, Duration.ofMillis(1));
    Duration backoffMax = duration(ConfigKeys.UPSTREAM_BACKOFF_MAX, Duration.ofMillis(1));
    if (backoffMax.compareTo(backoff) < 0) {
      problem(ConfigKeys.UPSTREAM_BACKOFF_MAX, raw.get(ConfigKeys.UPSTREAM_BACKOFF_MAX),
          "a duration at least " + ConfigKeys.UPSTREAM_BACKOFF + " (" + raw.get(ConfigKeys.UPSTREAM_BACKOFF) + ")");
    }
    double maxRate = rate(ConfigKeys.UPSTREAM_MAX_RATE);
    double maxRatePerClient = rate(ConfigKeys.UPSTREAM_MAX_RATE_PER_CLIENT);
    double costPer1000 = nonNegative(ConfigKeys.UPSTREAM_COST_PER_1000, "a price per 1,000 token requests, e.g. 2.25");
    double quotaRps = rate(ConfigKeys.UPSTREAM_QUOTA_RPS);
    return new Settings.Upstream(url, auth, connect, timeout, connections, backoff, backoffMax, maxRate,
        maxRatePerClient, costPer1000, quotaRps);
  }

  private Settings.Cache cache() {
    String backend = text(ConfigKeys.CACHE_BACKEND);
    if (backend != null && !"memory".equals(backend) && !"redis".equals(backend)) {
      problem(ConfigKeys.CACHE_BACKEND, backend, "memory or redis");
    }
    long maxEntries = integer(ConfigKeys.CACHE_MAX_ENTRIES, 1, Long.MAX_VALUE);
    long maxMemory = memory(ConfigKeys.CACHE_MAX_MEMORY);
    int maxKeysPerClient = (int) integer(ConfigKeys.CACHE_MAX_KEYS_PER_CLIENT, 1, 1_000_000);
    Duration minRemaining = duration(ConfigKeys.CACHE_MIN_REMAINING, Duration.ZERO);
    double refreshAhead = fraction(ConfigKeys.CACHE_REFRESH_AHEAD);
    Duration forceInterval = duration(ConfigKeys.CACHE_FORCE_REFRESH_INTERVAL, Duration.ZERO);
    boolean serveStale = bool(ConfigKeys.CACHE_SERVE_STALE);
    Duration negativeTtl = duration(ConfigKeys.CACHE_NEGATIVE_TTL, Duration.ZERO);
    Optional<Secret> keySecret = Optional.ofNullable(raw.get(ConfigKeys.CACHE_KEY_SECRET)).flatMap(this::keySecret);
    return new Settings.Cache(orEmpty(backend), maxEntries, maxMemory, maxKeysPerClient, minRemaining, refreshAhead,
        forceInterval, serveStale, negativeTtl, keySecret);
  }

  private Optional<Secret> keySecret(String value) {
    if (value.length() < 16) {
      problems.add(ConfigKeys.CACHE_KEY_SECRET + ": <masked> (expected: at least 16 characters)");
      return Optional.empty();
    }
    return Optional.of(new Secret(value));
  }

  private Settings.Proxy proxy() {
    return new Settings.Proxy(choice(ConfigKeys.PROXY_OTHER_GRANTS, Settings.OtherGrants.class));
  }

  private Settings.Origin origin() {
    String header = text(ConfigKeys.ORIGIN_HEADER);
    if (header != null && !header.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
      problem(ConfigKeys.ORIGIN_HEADER, header, "an HTTP header name");
    }
    Optional<String> source = Optional.ofNullable(raw.get(ConfigKeys.ORIGIN_SECRET));
    source.ifPresent(s -> secretSource(ConfigKeys.ORIGIN_SECRET, s));
    Duration poll = duration(ConfigKeys.ORIGIN_POLL_INTERVAL, Duration.ofSeconds(1));
    return new Settings.Origin(orEmpty(header), source, poll);
  }

  private Settings.Redis redis(Settings.Cache cache) {
    Optional<String> url = Optional.ofNullable(raw.get(ConfigKeys.REDIS_URL));
    url.ifPresent(value -> {
      for (String one : value.split(",")) {
        String trimmed = one.trim();
        if (!trimmed.startsWith("redis://") && !trimmed.startsWith("rediss://")) {
          problems.add(ConfigKeys.REDIS_URL + ": <masked> (expected: redis://host:port or rediss://host:port, comma-separated)");
          return;
        }
      }
    });
    Settings.RedisType type = choice(ConfigKeys.REDIS_TYPE, Settings.RedisType.class);
    String masterName = text(ConfigKeys.REDIS_MASTER_NAME);
    Optional<String> password = Optional.ofNullable(raw.get(ConfigKeys.REDIS_PASSWORD));
    password.ifPresent(spec -> {
      if (!(spec.startsWith("env:") && spec.length() > 4) && !(spec.startsWith("file:") && spec.length() > 5)) {
        problems.add(ConfigKeys.REDIS_PASSWORD + ": <masked> (expected: env:NAME or file:PATH)");
      }
    });
    Duration timeout = duration(ConfigKeys.REDIS_TIMEOUT, Duration.ofMillis(1));
    int pool = (int) integer(ConfigKeys.REDIS_POOL_SIZE, 1, 1024);
    if ("redis".equals(cache.backend())) {
      if (url.isEmpty()) {
        problems.add(ConfigKeys.REDIS_URL + ": (expected: redis://host:port; cache.backend is redis)");
      }
      if (cache.keySecret().isEmpty() && raw.get(ConfigKeys.CACHE_KEY_SECRET) == null) {
        problems.add(ConfigKeys.CACHE_KEY_SECRET
            + ": (expected: the same secret of 16+ characters on every instance; cache.backend is redis)");
      }
    }
    return new Settings.Redis(url, password, timeout, pool, type, orEmpty(masterName));
  }

  private Settings.Log log() {
    String access = text(ConfigKeys.LOG_ACCESS);
    if (access != null && !access.equals("stdout") && !access.equals("off")) {
      Path parent = Path.of(access).toAbsolutePath().getParent();
      if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
        problem(ConfigKeys.LOG_ACCESS, access, "stdout, off, or a file in a writable directory");
      }
    }
    return new Settings.Log(orEmpty(access));
  }

  /** Sources name where a secret is, not the secret itself, except {@code env:}/{@code file:} paths; still masked. */
  private void secretSource(String key, String spec) {
    boolean known = (spec.startsWith("env:") && spec.length() > 4) || (spec.startsWith("file:") && spec.length() > 5)
        || (spec.startsWith("aws-secretsmanager:") && spec.length() > 19);
    if (!known) {
      problems.add(key + ": <masked> (expected: env:NAME, file:PATH or aws-secretsmanager:ARN[#json-key])");
    }
  }

  private Settings.Guard guard(Settings.Origin origin) {
    Optional<URI> target = Optional.ofNullable(raw.get(ConfigKeys.GUARD_TARGET_URL))
        .map(value -> httpUrl(ConfigKeys.GUARD_TARGET_URL, value));
    java.util.List<String> secrets = new ArrayList<>();
    String listed = raw.get(ConfigKeys.GUARD_SECRETS);
    if (listed != null) {
      for (String spec : listed.split(",")) {
        if (!spec.isBlank()) {
          secretSource(ConfigKeys.GUARD_SECRETS, spec.trim());
          secrets.add(spec.trim());
        }
      }
    } else {
      origin.secretSource().ifPresent(secrets::add);
    }
    Duration grace = duration(ConfigKeys.GUARD_PREVIOUS_GRACE, Duration.ZERO);
    return new Settings.Guard(target, java.util.List.copyOf(secrets), grace);
  }

  private Settings.Admin admin() {
    return new Settings.Admin(port(ConfigKeys.ADMIN_PORT));
  }

  // --- value checks; each records a problem and returns a harmless placeholder on failure ---

  private @Nullable String text(String key) {
    String value = raw.get(key);
    if (value == null || value.isBlank()) {
      problems.add(key + ": (expected: a value; it is empty)");
      return null;
    }
    return value.trim();
  }

  /** A size, or a percentage of the JVM's maximum heap (1% to 80%: the rest of the process needs room too). */
  private long memory(String key) {
    String value = text(key);
    if (value == null) {
      return 1;
    }
    long heap = Runtime.getRuntime().maxMemory();
    if (value.endsWith("%")) {
      try {
        double percent = Double.parseDouble(value.substring(0, value.length() - 1).trim());
        if (percent >= 1 && percent <= 80) {
          return (long) (heap * percent / 100);
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    } else {
      try {
        long bytes = ConfigValues.size(value);
        if (bytes >= 1024 * 1024 && bytes <= heap * 0.8) {
          return bytes;
        }
      } catch (ArithmeticException | IllegalArgumentException e) {
        // reported below
      }
    }
    problem(key, value, "a share of the heap from 1% to 80%, or a size from 1MiB to 80% of the heap ("
        + heap / (1024 * 1024) + " MiB here)");
    return heap / 4;
  }

  private double rate(String key) {
    return nonNegative(key, "requests per second, a number from 0 (off) to 1000000, e.g. 5 or 0.5");
  }

  private double nonNegative(String key, String expected) {
    String value = text(key);
    if (value == null) {
      return 0;
    }
    try {
      double parsed = Double.parseDouble(value);
      if (parsed >= 0 && parsed <= 1_000_000) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problem(key, value, expected);
    return 0;
  }

  private boolean bool(String key) {
    String value = text(key);
    if ("true".equalsIgnoreCase(value) || "false".equalsIgnoreCase(value)) {
      return Boolean.parseBoolean(value);
    }
    if (value != null) {
      problem(key, value, "true or false");
    }
    return true;
  }

  private int port(String key) {
    return (int) integer(key, 0, 65_535);
  }

  private long integer(String key, long min, long max) {
    String value = text(key);
    if (value == null) {
      return min;
    }
    try {
      long parsed = Long.parseLong(value.replace("_", ""));
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problem(key, value, "a whole number from " + min + " to " + (max == Long.MAX_VALUE ? "any" : max));
    return min;
  }

  private double fraction(String key) {
    String value = text(key);
    if (value == null) {
      return 1;
    }
    try {
      double parsed = Double.parseDouble(value);
      if (parsed > 0 && parsed <= 1) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problem(key, value, "a fraction greater than 0 and at most 1, e.g. 0.8; 1 turns refresh-ahead off");
    return 1;
  }

  private Duration duration(String key, Duration min) {
    String value = text(key);
    if (value == null) {
      return min;
    }
    Duration parsed = ConfigValues.duration(value);
    if (parsed == null || parsed.compareTo(min) < 0) {
      problem(key, value, "a duration such as 500ms, 2s, 10m or 1h" + (min.isZero() ? "" : ", at least " + min.toMillis() + "ms"));
      return min;
    }
    return parsed;
  }

  private long size(String key, long min, long max) {
    String value = text(key);
    if (value == null) {
      return min;
    }
    long parsed;
    try {
      parsed = ConfigValues.size(value);
    } catch (ArithmeticException e) {
      parsed = -1;
    }
    if (parsed < min || parsed > max) {
      problem(key, value, "a size such as 16KiB or 1MiB, at most 16MiB");
      return min;
    }
    return parsed;
  }

  private <E extends Enum<E>> E choice(String key, Class<E> type) {
    String value = text(key);
    E[] constants = type.getEnumConstants();
    if (value != null) {
      for (E constant : constants) {
        if (constant.name().equalsIgnoreCase(value)) {
          return constant;
        }
      }
    }
    List<String> names = new ArrayList<>();
    for (E constant : constants) {
      names.add(constant.name().toLowerCase(Locale.ROOT));
    }
    if (value != null) {
      problem(key, value, String.join(" or ", names));
    }
    return constants[0];
  }

  private @Nullable URI httpUrl(String key, String value) {
    try {
      URI uri = new URI(value.trim());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    problem(key, value, "an absolute http:// or https:// URL");
    return null;
  }

  private @Nullable Path readableFile(String key, String value) {
    Path path = Path.of(value);
    if (!Files.isReadable(path) || Files.isDirectory(path)) {
      problem(key, value, "a readable file");
      return null;
    }
    return path;
  }

  /** A value whose absence is already a recorded problem: the empty placeholder (never used, parse throws). */
  private static String orEmpty(@Nullable String value) {
    return value == null ? "" : value;
  }

  private void problem(String key, @Nullable String value, String expected) {
    problems.add(key + ": " + value + " (expected: " + expected + ")");
  }
}
