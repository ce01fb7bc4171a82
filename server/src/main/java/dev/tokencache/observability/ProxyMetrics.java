package dev.tokencache.observability;

import dev.tokencache.cache.CacheResult;
import dev.tokencache.cache.TokenStore;
import dev.tokencache.http.RequestObserver;
import dev.tokencache.http.RequestRecord;
import dev.tokencache.pipeline.Budgets;
import dev.tokencache.pipeline.TokenPipeline;
import dev.tokencache.upstream.UpstreamFailure;
import dev.tokencache.upstream.UpstreamListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * The proxy's metrics, as Prometheus sees them. Every series about requests or an upstream carries an
 * {@code upstream} label: the upstream's name ({@code default} for {@code upstream.token-url}; {@code none} for a
 * path that routes nowhere). Meters are bound once per upstream on first use; status labels on first use (HTTP
 * statuses are a small, bounded set). No label ever holds a client id, a scope or a secret.
 *
 * <ul>
 *   <li>{@code tokencache_requests_total{result}}: one per answered token-listener request; {@code result} is
 *       hit, miss, coalesced, refresh (a forced refresh that fetched), bypass (another grant type, passed
 *       through), stale, negative, backoff (answered without the upstream while it fails), or error (the proxy
 *       refused the input, or answered 502/504/500 itself).
 *   <li>{@code tokencache_responses_total{status}}: one per answered request, by HTTP status.
 *   <li>{@code tokencache_request_duration_seconds{result}}: histogram from arrival until the answer is handed to the connection;
 *       buckets from 50 µs so hits are resolved.
 *   <li>{@code tokencache_upstream_requests_total{status}}: one per exchange with the authorization server, by
 *       its status, or {@code timeout} / {@code unreachable}. Background refreshes count here too.
 *   <li>{@code tokencache_upstream_duration_seconds}: histogram of those exchanges.
 *   <li>{@code tokencache_upstream_calls_avoided_total}: requests answered without an upstream call of their own
 *       (hit, coalesced, stale, negative and backoff answers).
 *   <li>{@code tokencache_cache_entries}, {@code tokencache_upstream_fetches_in_flight},
 *       {@code tokencache_keys_on_hold}, {@code tokencache_upstream_state{state}}: gauges.
 *   <li>{@code tokencache_shared_tier_total{result}} (with {@code cache.backend: redis}): local misses the shared
 *       tier answered ({@code hit}), passed upstream ({@code miss}), and its failed or skipped commands
 *       ({@code error}).
 * </ul>
 */
public final class ProxyMetrics implements RequestObserver, UpstreamListener {
  private static final Duration[] BUCKETS = {
      Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

  /** The {@code result} label of a request the proxy refused or failed itself. */
  public static final String ERROR = "error";

  /** The values of {@code tokencache_upstream_state{state}}, in the order of {@link TokenPipeline#upstreamState()}. */
  private static final String[] UPSTREAM_STATES = {"healthy", "failing", "paused"};

  private final MeterRegistry registry;
  private final ConcurrentMap<String, Meters> byUpstream = new ConcurrentHashMap<>();
  private boolean storeWatched;

  public ProxyMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The meters of one upstream, bound on first use. */
  private final class Meters implements UpstreamListener {
    private final String upstream;
    private final Counter[] requestsByResult = new Counter[CacheResult.values().length];
    private final Timer[] durationByResult = new Timer[CacheResult.values().length];
    private final Counter errors;
    private final Timer errorDuration;
    private final Counter avoided;
    private final Timer upstreamDuration;
    /** By status code 100 to 599, registered on first use (an array: no boxed status and map lookup per request). */
    private final java.util.concurrent.atomic.AtomicReferenceArray<Counter> responsesByStatus =
        new java.util.concurrent.atomic.AtomicReferenceArray<>(600);
    private final ConcurrentMap<String, Counter> upstreamByStatus = new ConcurrentHashMap<>();

    Meters(String upstream) {
      this.upstream = upstream;
      for (CacheResult result : CacheResult.values()) {
        requestsByResult[result.ordinal()] = requests(result.label());
        durationByResult[result.ordinal()] = duration(result.label());
      }
      errors = requests(ERROR);
      errorDuration = duration(ERROR);
      avoided = Counter.builder("tokencache.upstream.calls.avoided")
          .description("Requests answered without an upstream call of their own (hit, coalesced, stale, negative, "
              + "backoff, limited)")
          .tag("upstream", upstream).register(registry);
      upstreamDuration = Timer.builder("tokencache.upstream.duration")
          .description("Duration of exchanges with the authorization server")
          .tag("upstream", upstream).serviceLevelObjectives(BUCKETS).register(registry);
    }

    private Counter requests(String result) {
      return Counter.builder("tokencache.requests").description("Token-listener requests, by how they were answered")
          .tag("result", result).tag("upstream", upstream).register(registry);
    }

    private Timer duration(String result) {
      return Timer.builder("tokencache.request.duration").description("Time from arrival to the end of the answer")
          .tag("result", result).tag("upstream", upstream).serviceLevelObjectives(BUCKETS).register(registry);
    }

    void completed(RequestRecord record) {
      int index = record.result().ordinal();
      if (record.proxyError()) {
        errors.increment();
        errorDuration.record(record.durationNanos(), TimeUnit.NANOSECONDS);
      } else {
        requestsByResult[index].increment();
        durationByResult[index].record(record.durationNanos(), TimeUnit.NANOSECONDS);
        if (record.result() != CacheResult.MISS && record.result() != CacheResult.REFRESH
            && record.result() != CacheResult.BYPASS) {
          avoided.increment();
        }
      }
      responses(record.status()).increment();
    }

    private Counter responses(int status) {
      boolean usual = status >= 100 && status < 600;
      Counter counter = usual ? responsesByStatus.get(status) : null;
      if (counter == null) { // registering twice is harmless: the registry returns the one meter
        counter = Counter.builder("tokencache.responses").description("Token-listener responses, by HTTP status")
            .tag("status", Integer.toString(status)).tag("upstream", upstream).register(registry);
        if (usual) {
          responsesByStatus.set(status, counter);
        }
      }
      return counter;
    }

    @Override
    public void answered(int status, long elapsedNanos) {
      exchange(Integer.toString(status), elapsedNanos);
    }

    @Override
    public void failed(UpstreamFailure.Kind kind, long elapsedNanos) {
      exchange(kind.name().toLowerCase(Locale.ROOT), elapsedNanos);
    }

    private void exchange(String status, long elapsedNanos) {
      upstreamByStatus.computeIfAbsent(status, s -> Counter.builder("tokencache.upstream.requests")
          .description("Exchanges with the authorization server, by its status, or timeout/unreachable")
          .tag("status", s).tag("upstream", upstream).register(registry)).increment();
      upstreamDuration.record(elapsedNanos, TimeUnit.NANOSECONDS);
    }

    /** Requests this upstream answered without a call of their own, for the money-saved counter. */
    double avoided() {
      return avoided.count();
    }
  }

  private Meters meters(String upstream) {
    Meters meters = byUpstream.get(upstream);
    return meters != null ? meters : byUpstream.computeIfAbsent(upstream, Meters::new);
  }

  /** Adds the gauges of the default upstream's pipeline. */
  public ProxyMetrics watch(TokenPipeline pipeline) {
    return watch(dev.tokencache.config.Settings.DEFAULT_UPSTREAM, pipeline, 0, 0);
  }

  /**
   * Adds the gauges that read one upstream's pipeline (and, once, the token store all upstreams share).
   * Function-based meters hold their object weakly: the pipeline lives as long as the proxy, so they keep
   * counting (a fresh stats object per call would be collected and read 0).
   *
   * @param costPer1000 {@code upstream.cost-per-1000}: with it, {@code tokencache_upstream_cost_avoided_total}
   * @param quotaRps {@code upstream.quota-rps}: with it, {@code tokencache_upstream_quota_used_ratio}
   */
  public synchronized ProxyMetrics watch(String upstream, TokenPipeline pipeline, double costPer1000, double quotaRps) {
    if (!storeWatched) {
      storeWatched = true;
      Gauge.builder("tokencache.cache.entries", pipeline, TokenPipeline::entries)
          .description("Tokens held in the cache, every upstream together").register(registry);
      for (TokenStore.Eviction cause : TokenStore.Eviction.values()) {
        FunctionCounter.builder("tokencache.cache.evictions", pipeline, p -> p.evictions(cause))
            .description("Tokens pushed out before their time by a bound: size (cache.max-entries), memory "
                + "(cache.max-memory), per-client (cache.max-keys-per-client: the client's own oldest)")
            .tag("cause", cause.name().toLowerCase(Locale.ROOT).replace('_', '-')).register(registry);
      }
    }
    Gauge.builder("tokencache.upstream.fetches.in.flight", pipeline, TokenPipeline::fetchesInFlight)
        .description("Upstream fetches under way; each may have many coalesced requests waiting")
        .tag("upstream", upstream).register(registry);
    Gauge.builder("tokencache.keys.on.hold", pipeline, TokenPipeline::keysOnHold)
        .description("Keys answered without the upstream now: backing off after a failure, or replaying a "
            + "negative answer").tag("upstream", upstream).register(registry);
    for (String state : UPSTREAM_STATES) {
      int value = java.util.Arrays.asList(UPSTREAM_STATES).indexOf(state);
      Gauge.builder("tokencache.upstream.state", pipeline, p -> p.upstreamState() == value ? 1 : 0)
          .description("1 for the authorization server's current state: healthy, failing (its last fetch failed) or "
              + "paused (it answered 429 or Retry-After)").tag("state", state).tag("upstream", upstream)
          .register(registry);
    }
    for (Budgets.Scope scope : Budgets.Scope.values()) {
      String label = scope.name().toLowerCase(Locale.ROOT);
      FunctionCounter.builder("tokencache.upstream.limited", pipeline, p -> p.limited(scope))
          .description("Requests refused by an upstream budget instead of being sent upstream, by budget: client "
              + "(upstream.max-rate-per-client) or total (upstream.max-rate)")
          .tag("scope", label).tag("upstream", upstream).register(registry);
    }
    FunctionCounter.builder("tokencache.upstream.not.oauth", pipeline, TokenPipeline::notOAuthAnswers)
        .description("Upstream answers that no OAuth2 token endpoint gives (an HTML page, 404, 405, 501, JSON "
            + "without access_token or error): a wrong upstream.token-url, most likely")
        .tag("upstream", upstream).register(registry);
    if (pipeline.totalBudgetAvailable() >= 0) {
      Gauge.builder("tokencache.upstream.budget.available", pipeline, TokenPipeline::totalBudgetAvailable)
          .description("Upstream requests the total budget (upstream.max-rate) allows right now")
          .tag("upstream", upstream).register(registry);
    }
    if (costPer1000 > 0) {
      Meters meters = meters(upstream);
      FunctionCounter.builder("tokencache.upstream.cost.avoided", meters, m -> m.avoided() * costPer1000 / 1000)
          .description("What the requests answered without an upstream call would have cost there "
              + "(upstream.cost-per-1000, in its currency)").tag("upstream", upstream).register(registry);
    }
    if (quotaRps > 0) {
      Gauge.builder("tokencache.upstream.quota.used.ratio", pipeline, p -> p.upstreamRate() / quotaRps)
          .description("Upstream requests per second over the last minute, as a share of upstream.quota-rps")
          .tag("upstream", upstream).register(registry);
    }
    if (pipeline.hasSharedStore()) {
      sharedCounter("hit", upstream, pipeline, TokenPipeline::sharedHits);
      sharedCounter("miss", upstream, pipeline, TokenPipeline::sharedMisses);
      sharedCounter("error", upstream, pipeline, TokenPipeline::sharedFailures);
    }
    return this;
  }

  private void sharedCounter(String result, String upstream, TokenPipeline pipeline,
      java.util.function.ToDoubleFunction<TokenPipeline> count) {
    FunctionCounter.builder("tokencache.shared.tier", pipeline, count)
        .description("Shared-tier (Redis) outcomes of local misses: hit, miss (went upstream), error (command failed or skipped)")
        .tag("result", result).tag("upstream", upstream).register(registry);
  }

  @Override
  public void completed(RequestRecord record) {
    meters(record.upstream()).completed(record);
  }

  @Override
  public UpstreamListener forUpstream(String name) {
    return meters(name);
  }

  @Override
  public void answered(int status, long elapsedNanos) {
    meters(dev.tokencache.config.Settings.DEFAULT_UPSTREAM).answered(status, elapsedNanos);
  }

  @Override
  public void failed(UpstreamFailure.Kind kind, long elapsedNanos) {
    meters(dev.tokencache.config.Settings.DEFAULT_UPSTREAM).failed(kind, elapsedNanos);
  }
}
