package dev.tokencache.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The validated, immutable configuration, built once at start-up by {@link SettingsParser}. Components
 * read only the part that concerns them.
 */
public record Settings(Server server, Upstream upstream, Cache cache, Proxy proxy, Origin origin, Admin admin, Log log,
    Guard guard, Redis redis, java.util.List<NamedUpstream> upstreams) {

  /** The name of the upstream of {@code upstream.token-url}, served at {@code server.token-path}. */
  public static final String DEFAULT_UPSTREAM = "default";

  /**
   * One authorization server behind the proxy, with its own settings (each unset one inherited from the top
   * level), served at {@link #route}.
   */
  public record NamedUpstream(String name, Upstream upstream, Origin origin) {
    /** The path it is served at: {@code /<name>} + {@code server.token-path}; the default one at the token path. */
    public String route(String tokenPath) {
      return DEFAULT_UPSTREAM.equals(name) ? tokenPath : "/" + name + tokenPath;
    }
  }

  /**
   * Every upstream served, the default one ({@code upstream.token-url}) first when set, then the named ones.
   *
   * @throws ConfigException when there is none (serve needs at least one)
   */
  public java.util.List<NamedUpstream> routes() {
    java.util.List<NamedUpstream> routes = new java.util.ArrayList<>();
    if (upstream.tokenUrl().isPresent()) {
      routes.add(new NamedUpstream(DEFAULT_UPSTREAM, upstream, origin));
    }
    routes.addAll(upstreams);
    if (routes.isEmpty()) {
      throw new ConfigException(ConfigKeys.UPSTREAM_TOKEN_URL + ": (expected: the authorization server's token "
          + "endpoint URL, or upstreams.NAME.token-url for named upstreams; one is required)");
    }
    return java.util.List.copyOf(routes);
  }

  /**
   * The token listener.
   *
   * @param maxConnections client connections open at once at most (0: from the file-descriptor limit)
   * @param headerTimeout the longest a request's line and headers may take to arrive
   * @param idleTimeout how long a client connection may stay idle before it is closed
   * @param drain after SIGTERM: how long readiness reports down while the listener still answers, each answer with
   *     {@code Connection: close}, before it stops accepting
   * @param shutdownGrace after the drain: how long requests in flight may take; the ones still waiting then get 503
   */
  public record Server(
      String host,
      int port,
      Optional<Tls> tls,
      int maxBody,
      String tokenPath,
      int maxConnections,
      Duration headerTimeout,
      Duration idleTimeout,
      Duration drain,
      Duration shutdownGrace,
      int eventLoops) {}

  /** PEM files for HTTPS on the token listener. */
  public record Tls(Path cert, Path key) {}

  /** The authorization server behind the proxy. {@code tokenUrl} is empty only outside {@code serve}. */
  public record Upstream(
      Optional<URI> tokenUrl,
      ClientAuth clientAuth,
      Duration connectTimeout,
      Duration timeout,
      int maxConnections,
      Duration backoff,
      Duration backoffMax,
      double maxRate,
      double maxRatePerClient,
      double costPer1000,
      double quotaRps) {

    /** The token URL, which {@code serve} requires. */
    public URI requiredTokenUrl() {
      return tokenUrl.orElseThrow(() -> new ConfigException(
          ConfigKeys.UPSTREAM_TOKEN_URL + ": (expected: the authorization server's token endpoint URL; it is required)"));
    }
  }

  /** How the proxy presents client credentials upstream. */
  public enum ClientAuth { BASIC, POST }

  /** What happens to grant types other than client_credentials. */
  public enum OtherGrants { PASS, REJECT }

  /** The token cache. */
  public record Cache(
      String backend,
      long maxEntries,
      long maxMemoryBytes,
      int maxKeysPerClient,
      Duration minRemaining,
      double refreshAhead,
      Duration forceRefreshInterval,
      boolean serveStale,
      Duration negativeTtl,
      Optional<Secret> keySecret) {

    /** What one cached token of typical size (a 1 KiB JWT and what holds it) takes on the heap. */
    public static final long TYPICAL_ENTRY_BYTES = 1536;

    /**
     * A warning when {@code cache.max-entries} typical tokens cannot fit {@code cache.max-memory}: the memory
     * bound then evicts first (safe, but the count setting is not what limits the cache).
     */
    public Optional<String> sizeWarning() {
      if (maxEntries <= maxMemoryBytes / TYPICAL_ENTRY_BYTES) {
        return Optional.empty();
      }
      long mib = 1024 * 1024;
      return Optional.of(ConfigKeys.CACHE_MAX_ENTRIES + ": " + maxEntries + " tokens of a typical "
          + TYPICAL_ENTRY_BYTES + " bytes need about " + (long) ((double) maxEntries * TYPICAL_ENTRY_BYTES / mib)
          + " MiB, more than " + ConfigKeys.CACHE_MAX_MEMORY + " ("
          + maxMemoryBytes / mib + " MiB of a " + Runtime.getRuntime().maxMemory() / mib
          + " MiB heap): the memory bound will hold about " + maxMemoryBytes / TYPICAL_ENTRY_BYTES
          + " tokens and evict beyond that");
    }
  }

  /** Request handling policy. */
  public record Proxy(OtherGrants otherGrants) {}

  /** The origin-verify header sent upstream. */
  public record Origin(String header, Optional<String> secretSource, Duration pollInterval) {}

  /**
   * The origin guard: where it forwards, which secret sources it accepts (default: {@code origin.secret}), and
   * how long a source's replaced value stays accepted.
   */
  public record Guard(Optional<URI> targetUrl, java.util.List<String> secrets, Duration previousGrace) {
    /** The target URL, which {@code guard} requires. */
    public URI requiredTargetUrl() {
      return targetUrl.orElseThrow(() -> new ConfigException(
          ConfigKeys.GUARD_TARGET_URL + ": (expected: the base URL of the authorization server to protect; it is required)"));
    }
  }

  /** The Redis shared tier (with {@code cache.backend: redis}). */
  public record Redis(Optional<String> url, Optional<String> passwordSource, Duration timeout, int poolSize,
      RedisType type, String masterName) {
    /** The endpoints of {@code redis.url}: one, or the sentinels or cluster nodes. */
    public java.util.List<String> urls() {
      return url.map(text -> java.util.Arrays.stream(text.split(",")).map(String::trim).filter(u -> !u.isEmpty()).toList())
          .orElse(java.util.List.of());
    }

    @Override
    public String toString() {
      return "Redis[url=<masked>, passwordSource=" + passwordSource.map(s -> "<masked>").orElse("none")
          + ", timeout=" + timeout + ", poolSize=" + poolSize + ", type=" + type + ", masterName=" + masterName + "]";
    }
  }

  /** How the Redis deployment is addressed. */
  public enum RedisType { STANDALONE, SENTINEL, CLUSTER }

  /** The admin listener; {@code port} 0 means none. */
  public record Admin(int port) {}

  /** Logging. {@code access} is {@code stdout}, {@code off} or a file path. */
  public record Log(String access) {
    public boolean accessOff() {
      return "off".equals(access);
    }

    public boolean accessToStdout() {
      return "stdout".equals(access);
    }
  }
}
