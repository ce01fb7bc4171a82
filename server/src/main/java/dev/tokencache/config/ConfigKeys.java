package dev.tokencache.config;

import org.jspecify.annotations.Nullable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every key tokencache understands, with its default. The single source for docs, env and flags. */
public final class ConfigKeys {
  public static final String SERVER_HOST = "server.host";
  public static final String SERVER_PORT = "server.port";
  public static final String SERVER_TLS_CERT = "server.tls.cert";
  public static final String SERVER_TLS_KEY = "server.tls.key";
  public static final String SERVER_MAX_BODY = "server.max-body";
  public static final String SERVER_TOKEN_PATH = "server.token-path";
  public static final String SERVER_SHUTDOWN_GRACE = "server.shutdown-grace";
  public static final String SERVER_DRAIN = "server.drain";
  public static final String SERVER_MAX_CONNECTIONS = "server.max-connections";
  public static final String SERVER_HEADER_TIMEOUT = "server.header-timeout";
  public static final String SERVER_IDLE_TIMEOUT = "server.idle-timeout";
  public static final String SERVER_EVENT_LOOPS = "server.event-loops";
  public static final String UPSTREAM_TOKEN_URL = "upstream.token-url";
  public static final String UPSTREAM_CLIENT_AUTH = "upstream.client-auth";
  public static final String UPSTREAM_CONNECT_TIMEOUT = "upstream.connect-timeout";
  public static final String UPSTREAM_TIMEOUT = "upstream.timeout";
  public static final String UPSTREAM_MAX_CONNECTIONS = "upstream.max-connections";
  public static final String UPSTREAM_BACKOFF = "upstream.backoff";
  public static final String UPSTREAM_BACKOFF_MAX = "upstream.backoff-max";
  public static final String UPSTREAM_MAX_RATE = "upstream.max-rate";
  public static final String UPSTREAM_MAX_RATE_PER_CLIENT = "upstream.max-rate-per-client";
  public static final String UPSTREAM_COST_PER_1000 = "upstream.cost-per-1000";
  public static final String UPSTREAM_QUOTA_RPS = "upstream.quota-rps";
  /** Named upstreams: {@code upstreams.<name>.<upstream.* or origin.* key>}. */
  public static final String UPSTREAMS = "upstreams";
  public static final String PROXY_OTHER_GRANTS = "proxy.other-grants";
  public static final String ORIGIN_HEADER = "origin.header";
  public static final String ORIGIN_SECRET = "origin.secret";
  public static final String ORIGIN_POLL_INTERVAL = "origin.poll-interval";
  public static final String CACHE_BACKEND = "cache.backend";
  public static final String CACHE_MAX_ENTRIES = "cache.max-entries";
  public static final String CACHE_MIN_REMAINING = "cache.min-remaining";
  public static final String CACHE_REFRESH_AHEAD = "cache.refresh-ahead";
  public static final String CACHE_FORCE_REFRESH_INTERVAL = "cache.force-refresh-interval";
  public static final String CACHE_MAX_MEMORY = "cache.max-memory";
  public static final String CACHE_MAX_KEYS_PER_CLIENT = "cache.max-keys-per-client";
  public static final String CACHE_SERVE_STALE = "cache.serve-stale";
  public static final String CACHE_NEGATIVE_TTL = "cache.negative-ttl";
  public static final String CACHE_KEY_SECRET = "cache.key-secret";
  public static final String REDIS_URL = "redis.url";
  public static final String REDIS_PASSWORD = "redis.password";
  public static final String REDIS_TYPE = "redis.type";
  public static final String REDIS_MASTER_NAME = "redis.master-name";
  public static final String REDIS_TIMEOUT = "redis.timeout";
  public static final String REDIS_POOL_SIZE = "redis.pool-size";
  public static final String ADMIN_PORT = "admin.port";
  public static final String LOG_ACCESS = "log.access";
  public static final String GUARD_TARGET_URL = "guard.target-url";
  public static final String GUARD_SECRETS = "guard.secrets";
  public static final String GUARD_PREVIOUS_GRACE = "guard.previous-grace";

  private static final Map<String, ConfigKey> ALL = new LinkedHashMap<>();

  static {
    add(SERVER_HOST, "0.0.0.0", "address the token listener binds");
    add(SERVER_PORT, "8080", "port of the token listener (0: any free port)");
    add(SERVER_TLS_CERT, null, "PEM certificate chain; with server.tls.key the listener speaks HTTPS only");
    add(SERVER_TLS_KEY, null, "PEM private key (PKCS#8 or PKCS#1) for server.tls.cert");
    add(SERVER_MAX_BODY, "16KiB", "largest request body accepted; larger ones get 413");
    add(SERVER_TOKEN_PATH, "/oauth2/token", "path of the token endpoint");
    add(SERVER_MAX_CONNECTIONS, "0", "client connections open at once at most; more are closed when accepted "
        + "(0: the file-descriptor limit less 256)");
    add(SERVER_HEADER_TIMEOUT, "10s", "longest a request's line and headers may take to arrive; then the connection "
        + "is closed");
    add(SERVER_IDLE_TIMEOUT, "120s", "a client connection with nothing read or written for this long is closed");
    add(SERVER_DRAIN, "1s", "after SIGTERM, how long readiness reports down while requests are still answered "
        + "(each with Connection: close) before the listener stops");
    add(SERVER_SHUTDOWN_GRACE, "10s", "after the drain, how long in-flight requests may finish; then they get 503");
    add(SERVER_EVENT_LOOPS, "0", "event-loop threads serving requests (0: one per CPU core)");
    add(UPSTREAM_TOKEN_URL, null, "the authorization server's token endpoint (required)");
    add(UPSTREAM_CLIENT_AUTH, "basic", "how credentials are sent upstream: basic or post");
    add(UPSTREAM_CONNECT_TIMEOUT, "2s", "time allowed to open a connection upstream");
    add(UPSTREAM_TIMEOUT, "5s", "time allowed for a whole upstream exchange");
    add(UPSTREAM_MAX_CONNECTIONS, "512", "connections to the upstream at most, for the whole instance; more requests queue");
    add(UPSTREAM_BACKOFF, "1s", "after a failed fetch, no new request for that key for this long, doubling with jitter");
    add(UPSTREAM_BACKOFF_MAX, "60s", "longest backoff step, and the cap on an upstream Retry-After");
    add(UPSTREAM_MAX_RATE, "0", "upstream requests per second for this instance in all, burst of one second (0: off)");
    add(UPSTREAM_MAX_RATE_PER_CLIENT, "5", "upstream requests per second per client id, burst of ten seconds (0: off)");
    add(UPSTREAM_COST_PER_1000, "0", "what 1,000 token requests cost at the upstream (e.g. 2.25), for the money-saved metric");
    add(UPSTREAM_QUOTA_RPS, "0", "the upstream's rate quota in requests per second, for the quota-used metric (0: unknown)");
    add(PROXY_OTHER_GRANTS, "pass", "grant types other than client_credentials: pass or reject");
    add(ORIGIN_HEADER, "x-origin-verify", "header that carries the origin secret upstream");
    addSecret(ORIGIN_SECRET, null, "origin secret source: env:NAME, file:PATH or aws-secretsmanager:ARN[#json-key]");
    add(ORIGIN_POLL_INTERVAL, "30s", "how often a Secrets Manager secret is polled (files: every second)");
    add(CACHE_BACKEND, "memory", "memory, or redis (shared between instances; needs redis.url and cache.key-secret)");
    add(CACHE_MAX_ENTRIES, "100000", "most tokens kept at once");
    add(CACHE_MAX_MEMORY, "25%", "most heap the tokens may take: a size (64MiB) or a share of the JVM's maximum heap (25%)");
    add(CACHE_MAX_KEYS_PER_CLIENT, "100", "most entries one client id holds (scope sets, parameters); its own oldest give way");
    add(CACHE_MIN_REMAINING, "60s", "a token with less lifetime left is never served");
    add(CACHE_REFRESH_AHEAD, "0.8", "fraction of a token's lifetime after which a hit refreshes it in the background");
    add(CACHE_FORCE_REFRESH_INTERVAL, "10s", "least time between two forced refreshes of one key");
    add(CACHE_SERVE_STALE, "true", "serve a still-valid token inside min-remaining when the upstream fails or backs off");
    add(CACHE_NEGATIVE_TTL, "10s", "how long an upstream credential or request error is replayed for the same key (0: off)");
    addSecret(CACHE_KEY_SECRET, null, "HMAC key for cache keys, 16+ characters (random per process when unset; required with redis)");
    addSecret(REDIS_URL, null, "redis://[user:password@]host:port[/db], rediss:// for TLS; comma-separated for sentinel or cluster");
    add(REDIS_TYPE, "standalone", "standalone, sentinel (redis.url lists the sentinels) or cluster (redis.url lists nodes)");
    add(REDIS_MASTER_NAME, "mymaster", "the master's name with redis.type sentinel");
    addSecret(REDIS_PASSWORD, null, "Redis password source, env:NAME or file:PATH (instead of one in redis.url)");
    add(REDIS_TIMEOUT, "250ms", "longest wait for one Redis command before going upstream without it");
    add(REDIS_POOL_SIZE, "16", "Redis connections pooled");
    add(ADMIN_PORT, "9090", "port of metrics and health endpoints (0: off)");
    add(LOG_ACCESS, "stdout", "access log: stdout, off, or a file path (appended)");
    add(GUARD_TARGET_URL, null, "base URL of the authorization server the guard protects (required by guard)");
    add(GUARD_SECRETS, null, "comma-separated secret sources the guard accepts (default: origin.secret)");
    add(GUARD_PREVIOUS_GRACE, "10m", "how long a source's previous value stays accepted after it changes");
  }

  private ConfigKeys() {}

  private static void add(String name, @Nullable String defaultValue, String description) {
    ALL.put(name, new ConfigKey(name, defaultValue, false, description));
  }

  private static void addSecret(String name, @Nullable String defaultValue, String description) {
    ALL.put(name, new ConfigKey(name, defaultValue, true, description));
  }

  /** All keys, in documentation order. */
  public static List<ConfigKey> all() {
    return List.copyOf(ALL.values());
  }

  public static Optional<ConfigKey> find(String name) {
    return Optional.ofNullable(ALL.get(name));
  }

  /**
   * The key a named upstream's setting stands for: {@code token-url} → {@code upstream.token-url},
   * {@code origin.secret} → {@code origin.secret}; empty when it is not one a named upstream may set.
   */
  public static Optional<ConfigKey> perUpstream(String suffix) {
    if (suffix.startsWith("origin.")) {
      return find(suffix);
    }
    return find("upstream." + suffix);
  }

  /** The suffixes a named upstream may set, as they appear after {@code upstreams.<name>.}. */
  public static List<String> perUpstreamSuffixes() {
    List<String> suffixes = new java.util.ArrayList<>();
    for (String name : ALL.keySet()) {
      if (name.startsWith("upstream.")) {
        suffixes.add(name.substring("upstream.".length()));
      } else if (name.startsWith("origin.")) {
        suffixes.add(name);
      }
    }
    return suffixes;
  }
}
