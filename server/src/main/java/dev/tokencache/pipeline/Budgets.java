package dev.tokencache.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tokencache.cache.MemoryStore;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The upstream request budgets of one proxy instance: one bucket per client id
 * ({@code upstream.max-rate-per-client}, burst of ten seconds' worth) and one for all requests
 * ({@code upstream.max-rate}, burst of one second's worth; 0 turns either off). Every request the proxy is about
 * to send upstream takes a slot from both; cache hits never do.
 *
 * <p>Per instance: N instances allow N times the rates. Client buckets are forgotten once idle long enough to be
 * full again (a forgotten bucket and a full one are the same), and at most {@code maxClients} are kept.
 */
public final class Budgets {
  /** Which budget refused a request. */
  public enum Scope { CLIENT, TOTAL }

  /** A refusal: which budget, and when a slot frees. */
  record Refusal(Scope scope, Duration retryAfter) {}

  private static final long CLIENT_BURST_SECONDS = 10;

  private final InstantSource clock;
  private final double perClientRate;
  private final Optional<RateLimit> total;
  private final Cache<String, RateLimit> clients;
  private final LongAdder refusedClient = new LongAdder();
  private final LongAdder refusedTotal = new LongAdder();

  Budgets(double perClientRate, double totalRate, long maxClients, InstantSource clock) {
    this.clock = clock;
    this.perClientRate = perClientRate;
    this.total = totalRate > 0 ? Optional.of(new RateLimit(totalRate, Math.max(1, (long) Math.ceil(totalRate))))
        : Optional.empty();
    long idle = perClientRate > 0 ? newClientBucket().refillNanos() : 1;
    this.clients = Caffeine.newBuilder()
        .maximumSize(maxClients)
        .expireAfterAccess(idle, TimeUnit.NANOSECONDS)
        .ticker(MemoryStore.ticker(clock))
        .executor(Runnable::run)
        .build();
  }

  private RateLimit newClientBucket() {
    return new RateLimit(perClientRate, Math.max(1, (long) Math.ceil(perClientRate * CLIENT_BURST_SECONDS)));
  }

  /** Takes a slot for one upstream request of {@code clientId}; empty when allowed. */
  Optional<Refusal> take(String clientId) {
    long now = MemoryStore.toNanos(clock.instant());
    if (perClientRate > 0) {
      long wait = clients.get(clientId, id -> newClientBucket()).tryTake(now);
      if (wait > 0) {
        refusedClient.increment();
        return Optional.of(new Refusal(Scope.CLIENT, Duration.ofNanos(wait)));
      }
    }
    if (total.isPresent()) {
      long wait = total.get().tryTake(now);
      if (wait > 0) {
        refusedTotal.increment();
        return Optional.of(new Refusal(Scope.TOTAL, Duration.ofNanos(wait)));
      }
    }
    return Optional.empty();
  }

  /** Whether {@code clientId} could send a request now, without taking a slot (refresh ahead asks first). */
  boolean allows(String clientId) {
    long now = MemoryStore.toNanos(clock.instant());
    RateLimit client = perClientRate > 0 ? clients.getIfPresent(clientId) : null;
    return (client == null || client.available(now) > 0) && total.map(t -> t.available(now) > 0).orElse(true);
  }

  long refused(Scope scope) {
    return scope == Scope.CLIENT ? refusedClient.sum() : refusedTotal.sum();
  }

  /** Slots left in the total budget now, or -1 when it is off. */
  long totalAvailable() {
    long now = MemoryStore.toNanos(clock.instant());
    return total.map(t -> t.available(now)).orElse(-1L);
  }
}
