package dev.tokencache.demo;

import java.util.Locale;

/**
 * The figures of one demo run.
 *
 * @param options what ran
 * @param requests token requests the fleet made to the proxy
 * @param hits answered from the cache ({@code X-Token-Cache: hit})
 * @param misses fetched from the issuer by this request
 * @param coalesced waited for another request's fetch
 * @param failures requests that did not get a token
 * @param issuerRequests token requests the issuer itself counted
 * @param hitP50 median hit latency, ms
 * @param hitP99 99th percentile hit latency, ms
 * @param missP50 median miss latency, ms
 * @param missP99 99th percentile miss latency, ms
 */
public record DemoReport(DemoOptions options, long requests, long hits, long misses, long coalesced, long failures,
    long issuerRequests, double hitP50, double hitP99, double missP50, double missP99) {

  /** The seed's example: 100 applications, one request every 5 minutes, 1-hour tokens. */
  static final long SEED_APPS = 100;
  static final long SEED_REQUESTS_PER_APP_PER_DAY = 288;

  /** Share of the requests that reached the issuer, 0..1. */
  public double issuerShare() {
    return requests == 0 ? 0 : (double) issuerRequests / requests;
  }

  public double reductionPercent() {
    return 100.0 * (1 - issuerShare());
  }

  public double hitPercent() {
    return requests == 0 ? 0 : 100.0 * hits / requests;
  }

  /** Whether the run was too short for its issuer share to stand for a long-running proxy's. */
  boolean isShortOfSteadyState() {
    return options.duration().compareTo(options.tokenLifetime().multipliedBy(2)) < 0;
  }

  /** The report as a person reads it. */
  public String render() {
    long seedDay = SEED_APPS * SEED_REQUESTS_PER_APP_PER_DAY;
    long withDay = Math.round(seedDay * issuerShare());
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%n=== tokencache demo report ===%n"));
    out.append(String.format(Locale.ROOT, "%d applications, each asking %d times per token lifetime of %ds, for %ds%n%n",
        options.apps(), options.requestsPerLifetime(), options.tokenLifetime().toSeconds(), options.duration().toSeconds()));
    row(out, "token requests made", String.format(Locale.ROOT, "%,d", requests));
    row(out, "reached the issuer, with the cache", String.format(Locale.ROOT, "%,d", issuerRequests));
    row(out, "would have reached it without", String.format(Locale.ROOT, "%,d", requests));
    row(out, "reduction", String.format(Locale.ROOT, "%.1f %%", reductionPercent()));
    row(out, "served from the cache (hits)", String.format(Locale.ROOT, "%.1f %%  (%,d hits, %,d misses, %,d coalesced, %,d failed)",
        hitPercent(), hits, misses, coalesced, failures));
    row(out, "hit latency", String.format(Locale.ROOT, "p50 %.2f ms   p99 %.2f ms", hitP50, hitP99));
    row(out, "miss latency", String.format(Locale.ROOT, "p50 %.2f ms   p99 %.2f ms", missP50, missP99));
    out.append(String.format(Locale.ROOT, "  (latencies of a JVM that started with this run: its first requests ran "
        + "before the JIT compiled them; a proxy that has run for a while answers hits faster)%n"));
    if (isShortOfSteadyState()) {
      out.append(String.format(Locale.ROOT, "%nNote: this run lasted %ds, less than two token lifetimes (%ds). Every "
          + "application's first fetch is in it, a cost a long-running proxy pays once per token lifetime, so the "
          + "share that reached the issuer is higher than in steady state and the projection below understates the "
          + "saving. Run with --duration of at least %ds for a steady-state figure.%n",
          options.duration().toSeconds(), options.tokenLifetime().toSeconds(), 2 * options.tokenLifetime().toSeconds()));
    }
    out.append(String.format(Locale.ROOT, "%nThe AWS sample's example, at this run's rate (%d apps, a token request every 5 min, 1-hour tokens):%n",
        SEED_APPS));
    row(out, "without a cache", String.format(Locale.ROOT, "%,d token requests a day, %,d a month", seedDay, seedDay * 30));
    row(out, "with tokencache", String.format(Locale.ROOT, "%,d a day, %,d a month", withDay, withDay * 30));
    row(out, "saved", String.format(Locale.ROOT, "%,d token requests a month", (seedDay - withDay) * 30));
    double price = options.costPer1000();
    out.append(String.format(Locale.ROOT, "%nMoney saved at USD %.2f per 1,000 token requests (Cognito's M2M price; "
        + "--cost-per-1000 sets another):%n", price));
    row(out, "this run", String.format(Locale.ROOT, "USD %.4f  (%,d requests not sent)",
        (requests - issuerRequests) * price / 1000, requests - issuerRequests));
    row(out, "the sample's example, a month", String.format(Locale.ROOT, "USD %,.2f without the cache, USD %,.2f with it: "
        + "USD %,.2f saved", seedDay * 30 * price / 1000, withDay * 30 * price / 1000,
        (seedDay - withDay) * 30 * price / 1000));
    return out.toString();
  }

  private static void row(StringBuilder out, String label, String value) {
    out.append(String.format(Locale.ROOT, "  %-36s %s%n", label, value));
  }
}
